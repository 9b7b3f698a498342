package io.rnnkit.nn;

import io.rnnkit.config.MatmulPrecision;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
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
public final class LstmCell implements RnnCell<LstmState> {

  private final String name;
  private final int inputSize;
  private final int hiddenSize;
  private final Variable<TFloat32> kernel;
  private final Variable<TFloat32> recurrentKernel;
  private final Variable<TFloat32> bias;
  private final MatmulPrecision precision;
  private final boolean transposedProduct;

  private LstmCell(
      ParameterStore store, String name, int inputSize, int hiddenSize, boolean unitForgetBias) {
    this.name = Checks.scopeName("name", name);
    this.inputSize = Checks.positive("inputSize", inputSize);
    this.hiddenSize = Checks.positive("hiddenSize", hiddenSize);
    this.kernel =
        store.variable(
            name + "/kernel", Shape.of(inputSize, 4L * hiddenSize), Initializer.glorotUniform());
    this.recurrentKernel =
        store.variable(
            name + "/recurrent_kernel",
            Shape.of(hiddenSize, 4L * hiddenSize),
            Initializer.orthogonal());
    float[] initialBias = new float[4 * hiddenSize];
    if (unitForgetBias) {
      java.util.Arrays.fill(initialBias, hiddenSize, 2 * hiddenSize, 1f);
    }
    this.bias =
        store.variable(name + "/bias", Shape.of(4L * hiddenSize), Initializer.values(initialBias));
    this.precision = MatmulPrecision.FLOAT32;
    this.transposedProduct = false;
  }

  private LstmCell(LstmCell cell, MatmulPrecision precision, boolean transposedProduct) {
    this.name = cell.name;
    this.inputSize = cell.inputSize;
    this.hiddenSize = cell.hiddenSize;
    this.kernel = cell.kernel;
    this.recurrentKernel = cell.recurrentKernel;
    this.bias = cell.bias;
    this.precision = MatMuls.check(precision);
    this.transposedProduct = transposedProduct;
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
  public String name() {
    return name;
  }

  @Override
  public int inputSize() {
    return inputSize;
  }

  @Override
  public int hiddenSize() {
    return hiddenSize;
  }

  @Override
  public MatmulPrecision matmulPrecision() {
    return precision;
  }

  @Override
  public LstmCell withMatmulPrecision(MatmulPrecision value) {
    return new LstmCell(this, value, transposedProduct);
  }

  @Override
  public boolean transposedRecurrentProduct() {
    return transposedProduct;
  }

  @Override
  public LstmCell withTransposedRecurrentProduct(boolean value) {
    return new LstmCell(this, precision, value);
  }

  @Override
  public Operand<TFloat32> projectInputs(Ops tf, Operand<TFloat32> inputs) {
    return tf.math.add(MatMuls.matMul(tf, inputs, kernel, precision), bias);
  }

  @Override
  public CellStep<LstmState> step(
      Ops tf, Operand<TFloat32> projectedInput, LstmState state, Operand<TFloat32> recurrentMask) {
    Operand<TFloat32> h = state.hidden();
    Operand<TFloat32> recurrentInput = recurrentMask == null ? h : tf.math.mul(h, recurrentMask);
    Operand<TFloat32> z =
        tf.math.add(
            projectedInput,
            MatMuls.recurrent(tf, recurrentInput, recurrentKernel, precision, transposedProduct));
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
    Operand<TFloat32> zeros = Rnn.zeros(tf, batchSize, hiddenSize);
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

  /** Returns {@code kernel [I, 4H]}. */
  public Variable<TFloat32> kernel() {
    return kernel;
  }

  /** Returns {@code recurrent_kernel [H, 4H]}. */
  public Variable<TFloat32> recurrentKernel() {
    return recurrentKernel;
  }

  /** Returns {@code bias [4H]}. */
  public Variable<TFloat32> bias() {
    return bias;
  }

  static List<Operand<TFloat32>> splitGates(Ops tf, Operand<TFloat32> z, int count) {
    var split = tf.split(tf.constant(1), z, (long) count);
    return split.output().stream().map(o -> (Operand<TFloat32>) o).toList();
  }
}
