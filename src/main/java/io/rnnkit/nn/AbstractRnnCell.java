package io.rnnkit.nn;

import io.rnnkit.config.MatmulPrecision;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Base of the built-in cells: the scope, the sizes, the three Keras weights {@code kernel [I, gates
 * * H]} (Glorot uniform), {@code recurrent_kernel [H, gates * H]} (orthogonal) and {@code bias},
 * and the form of their input and recurrent products.
 *
 * @param <S> the state
 * @param <C> the cell itself, which {@link #withMatmulPrecision} and {@link
 *     #withTransposedRecurrentProduct} return
 */
abstract class AbstractRnnCell<S extends RnnState, C extends AbstractRnnCell<S, C>>
    implements RnnCell<S> {

  private final String name;
  private final int inputSize;
  private final int hiddenSize;
  private final Variable<TFloat32> kernel;
  private final Variable<TFloat32> recurrentKernel;
  private final Variable<TFloat32> bias;
  private final MatmulPrecision precision;
  private final boolean transposedProduct;

  /**
   * Creates the weights of a cell with {@code gates} gates, a bias of {@code biasRows} rows of
   * {@code gates * H} ({@code 0} for a vector) and float32 products in the plain form.
   */
  AbstractRnnCell(
      ParameterStore store,
      String name,
      int inputSize,
      int hiddenSize,
      int gates,
      int biasRows,
      Initializer biasInitializer) {
    this.name = Checks.scopeName("name", name);
    this.inputSize = Checks.positive("inputSize", inputSize);
    this.hiddenSize = Checks.positive("hiddenSize", hiddenSize);
    long width = (long) gates * hiddenSize;
    this.kernel =
        store.variable(name + "/kernel", Shape.of(inputSize, width), Initializer.glorotUniform());
    this.recurrentKernel =
        store.variable(
            name + "/recurrent_kernel", Shape.of(hiddenSize, width), Initializer.orthogonal());
    Shape biasShape = biasRows == 0 ? Shape.of(width) : Shape.of(biasRows, width);
    this.bias = store.variable(name + "/bias", biasShape, biasInitializer);
    this.precision = MatmulPrecision.FLOAT32;
    this.transposedProduct = false;
  }

  /** Copies {@code cell}'s scope, sizes and variables with other products. */
  AbstractRnnCell(
      AbstractRnnCell<S, C> cell, MatmulPrecision precision, boolean transposedProduct) {
    this.name = cell.name;
    this.inputSize = cell.inputSize;
    this.hiddenSize = cell.hiddenSize;
    this.kernel = cell.kernel;
    this.recurrentKernel = cell.recurrentKernel;
    this.bias = cell.bias;
    this.precision = MatMuls.check(precision);
    this.transposedProduct = transposedProduct;
  }

  /** Returns a cell of the same kind and variables with the given products. */
  abstract C withProducts(MatmulPrecision precision, boolean transposedProduct);

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
  public C withMatmulPrecision(MatmulPrecision value) {
    return withProducts(value, transposedProduct);
  }

  @Override
  public boolean transposedRecurrentProduct() {
    return transposedProduct;
  }

  @Override
  public C withTransposedRecurrentProduct(boolean value) {
    return withProducts(precision, value);
  }

  /** Returns {@code kernel [I, gates * H]}. */
  public Variable<TFloat32> kernel() {
    return kernel;
  }

  /** Returns {@code recurrent_kernel [H, gates * H]}. */
  public Variable<TFloat32> recurrentKernel() {
    return recurrentKernel;
  }

  /** Returns {@code bias}, {@code [gates * H]} or {@code [rows, gates * H]}. */
  public Variable<TFloat32> bias() {
    return bias;
  }

  /** Returns {@code inputs kernel}, {@code [N, gates * H]}, in this cell's precision. */
  Operand<TFloat32> inputProduct(Ops tf, Operand<TFloat32> inputs) {
    return MatMuls.matMul(tf, inputs, kernel, precision);
  }

  /**
   * Returns {@code (h * mask) recurrent_kernel}, or {@code h recurrent_kernel} without a mask,
   * {@code [B, gates * H]}, in this cell's precision and form.
   */
  Operand<TFloat32> recurrentProduct(
      Ops tf, Operand<TFloat32> hidden, Operand<TFloat32> recurrentMask) {
    return recurrent(tf, masked(tf, hidden, recurrentMask), recurrentKernel);
  }

  /** Returns {@code hidden * recurrentMask}, or {@code hidden} without a mask. */
  static Operand<TFloat32> masked(
      Ops tf, Operand<TFloat32> hidden, Operand<TFloat32> recurrentMask) {
    return recurrentMask == null ? hidden : tf.math.mul(hidden, recurrentMask);
  }

  /** Returns {@code input matrix} in this cell's precision and recurrent-product form. */
  Operand<TFloat32> recurrent(Ops tf, Operand<TFloat32> input, Operand<TFloat32> matrix) {
    return MatMuls.recurrent(tf, input, matrix, precision, transposedProduct);
  }
}
