package io.rnnkit.nn;

import io.rnnkit.config.MatmulPrecision;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Long short-term memory cell (Hochreiter and Schmidhuber, 1997), the step of Keras {@code
 * LSTMCell} and PyTorch {@code LSTMCell}.
 *
 * <p>Step, with gates in the order i, f, c, o along the last axis of every weight:
 *
 * <pre>
 * z  = x kernel + h recurrent_kernel + bias      [B, 4H]
 * i  = sigmoid(z[:, 0:H])      f = sigmoid(z[:, H:2H])
 * c~ = tanh(z[:, 2H:3H])       o = sigmoid(z[:, 3H:4H])
 * c' = f * c + i * c~          h' = o * tanh(c')
 * </pre>
 *
 * <p>Weights, with Keras names under the cell's scope: {@code kernel [I, 4H]}, {@code
 * recurrent_kernel [H, 4H]}, {@code bias [4H]}. With {@code unitForgetBias} (the default) the f
 * slice of the bias starts at 1, as in Keras.
 */
public final class LstmCell extends AbstractRnnCell<LstmState, LstmCell> {

  private LstmCell(
      ParameterStore store, String name, int inputSize, int hiddenSize, boolean unitForgetBias) {
    super(
        store,
        name,
        inputSize,
        hiddenSize,
        4,
        0,
        unitForgetBias ? LstmCell::unitForgetBias : Initializer.zeros());
  }

  private LstmCell(LstmCell cell, MatmulPrecision precision, boolean transposedProduct) {
    super(cell, precision, transposedProduct);
  }

  /** Creates an LSTM cell with {@code unitForgetBias} on. */
  public static LstmCell create(ParameterStore store, String name, int inputSize, int hiddenSize) {
    return new LstmCell(store, name, inputSize, hiddenSize, true);
  }

  /** Creates an LSTM cell; {@code unitForgetBias} starts the forget-gate bias at 1. */
  public static LstmCell create(
      ParameterStore store, String name, int inputSize, int hiddenSize, boolean unitForgetBias) {
    return new LstmCell(store, name, inputSize, hiddenSize, unitForgetBias);
  }

  @Override
  LstmCell withProducts(MatmulPrecision precision, boolean transposedProduct) {
    return new LstmCell(this, precision, transposedProduct);
  }

  /** Returns a {@code [4H]} bias of zeros whose f slice {@code [H, 2H)} is 1. */
  private static Operand<TFloat32> unitForgetBias(Ops init, Shape shape, long seed) {
    int hiddenSize = (int) (shape.size(0) / 4);
    float[] values = new float[4 * hiddenSize];
    Arrays.fill(values, hiddenSize, 2 * hiddenSize, 1f);
    return Initializer.values(values).create(init, shape, seed);
  }

  @Override
  public Operand<TFloat32> projectInputs(Ops tf, Operand<TFloat32> inputs) {
    return tf.math.add(inputProduct(tf, inputs), bias());
  }

  @Override
  public CellStep<LstmState> step(
      Ops tf, Operand<TFloat32> projectedInput, LstmState state, Operand<TFloat32> recurrentMask) {
    Operand<TFloat32> z =
        tf.math.add(projectedInput, recurrentProduct(tf, state.hidden(), recurrentMask));
    List<Operand<TFloat32>> gates = splitGates(tf, z, 4);
    Operand<TFloat32> i = tf.math.sigmoid(gates.get(0));
    Operand<TFloat32> f = tf.math.sigmoid(gates.get(1));
    Operand<TFloat32> candidate = tf.math.tanh(gates.get(2));
    Operand<TFloat32> o = tf.math.sigmoid(gates.get(3));
    Operand<TFloat32> c = tf.math.add(tf.math.mul(f, state.cell()), tf.math.mul(i, candidate));
    Operand<TFloat32> newHidden = tf.math.mul(o, tf.math.tanh(c));
    return new CellStep<>(newHidden, new LstmState(newHidden, c));
  }

  @Override
  public LstmState zeroState(Ops tf, Operand<TInt32> batchSize) {
    Operand<TFloat32> zeros = Rnn.zeros(tf, batchSize, hiddenSize());
    return new LstmState(zeros, zeros);
  }

  @Override
  public LstmState stateOf(List<Operand<TFloat32>> parts) {
    if (parts.size() != 2) {
      throw new IllegalArgumentException(
          "an LSTM state has 2 parts (hidden, cell), got " + parts.size());
    }
    return new LstmState(parts.get(0), parts.get(1));
  }

  static List<Operand<TFloat32>> splitGates(Ops tf, Operand<TFloat32> z, int count) {
    var split = tf.split(tf.constant(1), z, (long) count);
    return split.output().stream().map(o -> (Operand<TFloat32>) o).toList();
  }
}
