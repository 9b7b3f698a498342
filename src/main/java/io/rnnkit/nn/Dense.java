package io.rnnkit.nn;

import io.rnnkit.config.MatmulPrecision;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Affine layer {@code y = x kernel + bias}, as Keras {@code Dense} without activation and PyTorch
 * {@code nn.Linear} (whose weight is the transpose of {@code kernel}).
 *
 * <p>Weights: {@code kernel [in, out]}, {@code bias [out]}.
 */
public final class Dense {

  private final int inputSize;
  private final int outputSize;
  private final Variable<TFloat32> kernel;
  private final Variable<TFloat32> bias;
  private final MatmulPrecision precision;

  private Dense(ParameterStore store, String name, int inputSize, int outputSize) {
    Checks.scopeName("name", name);
    this.inputSize = Checks.positive("inputSize", inputSize);
    this.outputSize = Checks.positive("outputSize", outputSize);
    this.kernel =
        store.variable(
            name + "/kernel", Shape.of(inputSize, outputSize), Initializer.glorotUniform());
    this.bias = store.variable(name + "/bias", Shape.of(outputSize), Initializer.zeros());
    this.precision = MatmulPrecision.FLOAT32;
  }

  private Dense(Dense layer, MatmulPrecision precision) {
    this.inputSize = layer.inputSize;
    this.outputSize = layer.outputSize;
    this.kernel = layer.kernel;
    this.bias = layer.bias;
    this.precision = MatMuls.check(precision);
  }

  /** Creates a dense layer with variables {@code name/kernel} and {@code name/bias}. */
  public static Dense create(ParameterStore store, String name, int inputSize, int outputSize) {
    return new Dense(store, name, inputSize, outputSize);
  }

  /** Returns a layer with the same variables whose matrix product runs in {@code value}. */
  public Dense withMatmulPrecision(MatmulPrecision value) {
    return new Dense(this, value);
  }

  /**
   * Returns the number format of the matrix product: FLOAT32 unless set by {@link
   * #withMatmulPrecision}.
   */
  public MatmulPrecision matmulPrecision() {
    return precision;
  }

  /**
   * Applies the layer to rows.
   *
   * @param inputs {@code [N, in]}
   * @return {@code [N, out]}
   */
  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> inputs) {
    return tf.math.add(MatMuls.matMul(tf, inputs, kernel, precision), bias);
  }

  /**
   * Applies the layer at every step of a sequence.
   *
   * @param inputs {@code [B, T, in]}
   * @return {@code [B, T, out]}
   */
  public Operand<TFloat32> applyToSequence(Ops tf, Operand<TFloat32> inputs, int timeSteps) {
    Operand<TFloat32> rows = tf.reshape(inputs, tf.constant(new int[] {-1, inputSize}));
    return tf.reshape(apply(tf, rows), tf.constant(new int[] {-1, timeSteps, outputSize}));
  }

  /** Returns {@code kernel [in, out]}. */
  public Variable<TFloat32> kernel() {
    return kernel;
  }

  /** Returns {@code bias [out]}. */
  public Variable<TFloat32> bias() {
    return bias;
  }

  /** Returns the output size. */
  public int outputSize() {
    return outputSize;
  }
}
