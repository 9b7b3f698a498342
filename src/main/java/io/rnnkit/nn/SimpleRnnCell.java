package io.rnnkit.nn;

import io.rnnkit.config.MatmulPrecision;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Fully connected recurrent cell (Elman network), the step of Keras {@code SimpleRNNCell} and of
 * PyTorch {@code RNNCell} (whose two biases add up to this cell's one bias).
 *
 * <p>Step, with {@code act} the cell's {@link Activation} ({@code tanh} by default):
 *
 * <pre>
 * h' = act(x kernel + bias + h recurrent_kernel)      [B, H]
 * </pre>
 *
 * <p>Weights, with Keras names under the cell's scope: {@code kernel [I, H]} (Glorot uniform),
 * {@code recurrent_kernel [H, H]} (orthogonal), {@code bias [H]} (zeros). With a recurrent dropout
 * mask {@code m}, the recurrent term is {@code (h * m) recurrent_kernel}, as in Keras.
 */
public final class SimpleRnnCell extends AbstractRnnCell<HiddenState, SimpleRnnCell> {

  private final Activation activation;

  private SimpleRnnCell(
      ParameterStore store, String name, int inputSize, int hiddenSize, Activation activation) {
    super(store, name, inputSize, hiddenSize, 1, 0, Initializer.zeros());
    if (activation == null) {
      throw new IllegalArgumentException("activation must be non-null, got null");
    }
    this.activation = activation;
  }

  private SimpleRnnCell(SimpleRnnCell cell, MatmulPrecision precision, boolean transposedProduct) {
    super(cell, precision, transposedProduct);
    this.activation = cell.activation;
  }

  /** Creates a cell with the {@code tanh} activation. */
  public static SimpleRnnCell create(
      ParameterStore store, String name, int inputSize, int hiddenSize) {
    return new SimpleRnnCell(store, name, inputSize, hiddenSize, Activation.TANH);
  }

  /** Creates a cell with the given activation. */
  public static SimpleRnnCell create(
      ParameterStore store, String name, int inputSize, int hiddenSize, Activation activation) {
    return new SimpleRnnCell(store, name, inputSize, hiddenSize, activation);
  }

  @Override
  SimpleRnnCell withProducts(MatmulPrecision precision, boolean transposedProduct) {
    return new SimpleRnnCell(this, precision, transposedProduct);
  }

  /** Returns the activation applied to the pre-activation sum. */
  public Activation activation() {
    return activation;
  }

  @Override
  public Operand<TFloat32> projectInputs(Ops tf, Operand<TFloat32> inputs) {
    return tf.math.add(inputProduct(tf, inputs), bias());
  }

  @Override
  public CellStep<HiddenState> step(
      Ops tf,
      Operand<TFloat32> projectedInput,
      HiddenState state,
      Operand<TFloat32> recurrentMask) {
    Operand<TFloat32> preActivation =
        tf.math.add(projectedInput, recurrentProduct(tf, state.hidden(), recurrentMask));
    Operand<TFloat32> newHidden = activation.apply(tf, preActivation);
    return new CellStep<>(newHidden, new HiddenState(newHidden));
  }

  @Override
  public HiddenState zeroState(Ops tf, Operand<TInt32> batchSize) {
    return new HiddenState(Rnn.zeros(tf, batchSize, hiddenSize()));
  }

  @Override
  public HiddenState stateOf(List<Operand<TFloat32>> parts) {
    return HiddenState.of(parts, "a SimpleRNN state");
  }
}
