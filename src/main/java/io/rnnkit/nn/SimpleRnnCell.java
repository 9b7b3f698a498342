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
public final class SimpleRnnCell implements RnnCell<HiddenState> {

  private final String name;
  private final int inputSize;
  private final int hiddenSize;
  private final Activation activation;
  private final Variable<TFloat32> kernel;
  private final Variable<TFloat32> recurrentKernel;
  private final Variable<TFloat32> bias;
  private final MatmulPrecision precision;
  private final boolean transposedProduct;

  private SimpleRnnCell(
      ParameterStore store, String name, int inputSize, int hiddenSize, Activation activation) {
    this.name = Checks.scopeName("name", name);
    this.inputSize = Checks.positive("inputSize", inputSize);
    this.hiddenSize = Checks.positive("hiddenSize", hiddenSize);
    if (activation == null) {
      throw new IllegalArgumentException("activation must be non-null, got null");
    }
    this.activation = activation;
    this.kernel =
        store.variable(
            name + "/kernel", Shape.of(inputSize, hiddenSize), Initializer.glorotUniform());
    this.recurrentKernel =
        store.variable(
            name + "/recurrent_kernel", Shape.of(hiddenSize, hiddenSize), Initializer.orthogonal());
    this.bias = store.variable(name + "/bias", Shape.of(hiddenSize), Initializer.zeros());
    this.precision = MatmulPrecision.FLOAT32;
    this.transposedProduct = false;
  }

  private SimpleRnnCell(SimpleRnnCell cell, MatmulPrecision precision, boolean transposedProduct) {
    this.name = cell.name;
    this.inputSize = cell.inputSize;
    this.hiddenSize = cell.hiddenSize;
    this.activation = cell.activation;
    this.kernel = cell.kernel;
    this.recurrentKernel = cell.recurrentKernel;
    this.bias = cell.bias;
    this.precision = MatMuls.check(precision);
    this.transposedProduct = transposedProduct;
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

  /** Returns the activation applied to the pre-activation sum. */
  public Activation activation() {
    return activation;
  }

  @Override
  public MatmulPrecision matmulPrecision() {
    return precision;
  }

  @Override
  public SimpleRnnCell withMatmulPrecision(MatmulPrecision value) {
    return new SimpleRnnCell(this, value, transposedProduct);
  }

  @Override
  public boolean transposedRecurrentProduct() {
    return transposedProduct;
  }

  @Override
  public SimpleRnnCell withTransposedRecurrentProduct(boolean value) {
    return new SimpleRnnCell(this, precision, value);
  }

  @Override
  public Operand<TFloat32> projectInputs(Ops tf, Operand<TFloat32> inputs) {
    return tf.math.add(MatMuls.matMul(tf, inputs, kernel, precision), bias);
  }

  @Override
  public CellStep<HiddenState> step(
      Ops tf,
      Operand<TFloat32> projectedInput,
      HiddenState state,
      Operand<TFloat32> recurrentMask) {
    Operand<TFloat32> h = state.hidden();
    Operand<TFloat32> recurrentInput = recurrentMask == null ? h : tf.math.mul(h, recurrentMask);
    Operand<TFloat32> preActivation =
        tf.math.add(
            projectedInput,
            MatMuls.recurrent(tf, recurrentInput, recurrentKernel, precision, transposedProduct));
    Operand<TFloat32> newHidden = activation.apply(tf, preActivation);
    return new CellStep<>(newHidden, new HiddenState(newHidden));
  }

  @Override
  public HiddenState zeroState(Ops tf, Operand<TInt32> batchSize) {
    return new HiddenState(Rnn.zeros(tf, batchSize, hiddenSize));
  }

  @Override
  public HiddenState stateOf(List<Operand<TFloat32>> parts) {
    return HiddenState.of(parts, "a SimpleRNN state");
  }

  /** Returns {@code kernel [I, H]}. */
  public Variable<TFloat32> kernel() {
    return kernel;
  }

  /** Returns {@code recurrent_kernel [H, H]}. */
  public Variable<TFloat32> recurrentKernel() {
    return recurrentKernel;
  }

  /** Returns {@code bias [H]}. */
  public Variable<TFloat32> bias() {
    return bias;
  }
}
