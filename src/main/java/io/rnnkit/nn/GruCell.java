package io.rnnkit.nn;

import io.rnnkit.config.MatmulPrecision;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Gated recurrent unit (Cho et al., 2014), the step of Keras {@code GRUCell}.
 *
 * <p>Gates are in the order z (update), r (reset), h (candidate) along the last axis of every
 * weight. {@code W_z, W_r, W_h} are the three {@code [I, H]} slices of {@code kernel} and {@code
 * U_z, U_r, U_h} the three {@code [H, H]} slices of {@code recurrent_kernel}.
 *
 * <p>With {@code resetAfter} (the default, as in Keras 2 and later), the reset gate applies after
 * the recurrent product and there are two biases, {@code bias [2, 3H]}: row 0 {@code b_in} is added
 * to the input product and row 1 {@code b_rec} to the recurrent product. PyTorch {@code GRUCell}
 * computes the same step with its gates in the order r, z, n.
 *
 * <pre>
 * z  = sigmoid(x W_z + b_in_z + h U_z + b_rec_z)
 * r  = sigmoid(x W_r + b_in_r + h U_r + b_rec_r)
 * h~ = tanh(x W_h + b_in_h + r * (h U_h + b_rec_h))
 * h' = z * h + (1 - z) * h~
 * </pre>
 *
 * <p>Without {@code resetAfter} (Keras 1 and TensorFlow 1 {@code GRUCell} layout), the reset gate
 * applies before the recurrent product and there is one bias, {@code bias [3H]}:
 *
 * <pre>
 * z  = sigmoid(x W_z + h U_z + b_z)
 * r  = sigmoid(x W_r + h U_r + b_r)
 * h~ = tanh(x W_h + (r * h) U_h + b_h)
 * h' = z * h + (1 - z) * h~
 * </pre>
 *
 * <p>Weights, with Keras names under the cell's scope: {@code kernel [I, 3H]} (Glorot uniform),
 * {@code recurrent_kernel [H, 3H]} (orthogonal), {@code bias [2, 3H]} or {@code [3H]} (zeros). With
 * a recurrent dropout mask {@code m}, {@code h} is replaced by {@code h * m} in every recurrent
 * product (but not in {@code z * h}), as in Keras.
 */
public final class GruCell extends AbstractRnnCell<HiddenState, GruCell> {

  private final boolean resetAfter;

  private GruCell(
      ParameterStore store, String name, int inputSize, int hiddenSize, boolean resetAfter) {
    super(store, name, inputSize, hiddenSize, 3, resetAfter ? 2 : 0, Initializer.zeros());
    this.resetAfter = resetAfter;
  }

  private GruCell(GruCell cell, MatmulPrecision precision, boolean transposedProduct) {
    super(cell, precision, transposedProduct);
    this.resetAfter = cell.resetAfter;
  }

  /** Creates a GRU cell with {@code resetAfter} on, the Keras default. */
  public static GruCell create(ParameterStore store, String name, int inputSize, int hiddenSize) {
    return new GruCell(store, name, inputSize, hiddenSize, true);
  }

  /**
   * Creates a GRU cell; {@code resetAfter} selects where the reset gate applies and the bias shape
   * ({@code [2, 3H]} when true, {@code [3H]} when false).
   */
  public static GruCell create(
      ParameterStore store, String name, int inputSize, int hiddenSize, boolean resetAfter) {
    return new GruCell(store, name, inputSize, hiddenSize, resetAfter);
  }

  @Override
  GruCell withProducts(MatmulPrecision precision, boolean transposedProduct) {
    return new GruCell(this, precision, transposedProduct);
  }

  /** Returns whether the reset gate applies after the recurrent product. */
  public boolean resetAfter() {
    return resetAfter;
  }

  /** Computes {@code x kernel + b_in} ({@code resetAfter}) or {@code x kernel + bias}. */
  @Override
  public Operand<TFloat32> projectInputs(Ops tf, Operand<TFloat32> inputs) {
    Operand<TFloat32> inputBias = resetAfter ? biasRows(tf).get(0) : bias();
    return tf.math.add(inputProduct(tf, inputs), inputBias);
  }

  @Override
  public CellStep<HiddenState> step(
      Ops tf,
      Operand<TFloat32> projectedInput,
      HiddenState state,
      Operand<TFloat32> recurrentMask) {
    Operand<TFloat32> h = state.hidden();
    Operand<TFloat32> recurrentInput = masked(tf, h, recurrentMask);
    List<Operand<TFloat32>> x = LstmCell.splitGates(tf, projectedInput, 3);
    List<Operand<TFloat32>> updateAndCandidate =
        resetAfter
            ? gatesResetAfter(tf, x, recurrentInput)
            : gatesResetBefore(tf, x, recurrentInput);
    Operand<TFloat32> z = updateAndCandidate.get(0);
    Operand<TFloat32> candidate = updateAndCandidate.get(1);
    Operand<TFloat32> keep = tf.math.mul(z, h);
    // 1 - z as a broadcast constant: OnesLike has no gradient in TensorFlow Java 1.1.0.
    Operand<TFloat32> replace = tf.math.mul(tf.math.sub(tf.constant(1f), z), candidate);
    Operand<TFloat32> newHidden = tf.math.add(keep, replace);
    return new CellStep<>(newHidden, new HiddenState(newHidden));
  }

  /** Returns {@code [z, h~]} with the reset gate applied after the recurrent product. */
  private List<Operand<TFloat32>> gatesResetAfter(
      Ops tf, List<Operand<TFloat32>> x, Operand<TFloat32> recurrentInput) {
    Operand<TFloat32> inner =
        tf.math.add(recurrent(tf, recurrentInput, recurrentKernel()), biasRows(tf).get(1));
    List<Operand<TFloat32>> recurrent = LstmCell.splitGates(tf, inner, 3);
    Operand<TFloat32> z = tf.math.sigmoid(tf.math.add(x.get(0), recurrent.get(0)));
    Operand<TFloat32> r = tf.math.sigmoid(tf.math.add(x.get(1), recurrent.get(1)));
    Operand<TFloat32> candidate =
        tf.math.tanh(tf.math.add(x.get(2), tf.math.mul(r, recurrent.get(2))));
    return List.of(z, candidate);
  }

  /** Returns {@code [z, h~]} with the reset gate applied to {@code h} before its product. */
  private List<Operand<TFloat32>> gatesResetBefore(
      Ops tf, List<Operand<TFloat32>> x, Operand<TFloat32> recurrentInput) {
    List<Operand<TFloat32>> u = LstmCell.splitGates(tf, recurrentKernel(), 3);
    Operand<TFloat32> z =
        tf.math.sigmoid(tf.math.add(x.get(0), recurrent(tf, recurrentInput, u.get(0))));
    Operand<TFloat32> r =
        tf.math.sigmoid(tf.math.add(x.get(1), recurrent(tf, recurrentInput, u.get(1))));
    Operand<TFloat32> resetHidden = tf.math.mul(r, recurrentInput);
    Operand<TFloat32> candidate =
        tf.math.tanh(tf.math.add(x.get(2), recurrent(tf, resetHidden, u.get(2))));
    return List.of(z, candidate);
  }

  @Override
  public HiddenState zeroState(Ops tf, Operand<TInt32> batchSize) {
    return new HiddenState(Rnn.zeros(tf, batchSize, hiddenSize()));
  }

  @Override
  public HiddenState stateOf(List<Operand<TFloat32>> parts) {
    return HiddenState.of(parts, "a GRU state");
  }

  /** Returns rows {@code b_in} and {@code b_rec} of a {@code [2, 3H]} bias. */
  private List<Operand<TFloat32>> biasRows(Ops tf) {
    var rows = tf.unstack(bias(), 2L, Unstack.axis(0L));
    return List.of(rows.output().get(0), rows.output().get(1));
  }
}
