package io.rnnkit.nn;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Initial value of a variable, built from stateless random ops so that a seed fixes it.
 *
 * <p>The defaults match Keras: Glorot uniform for input kernels, orthogonal for recurrent kernels,
 * zeros for biases and uniform in [-0.05, 0.05] for embeddings.
 */
@FunctionalInterface
public interface Initializer {

  /** Builds the initial value of {@code shape} with ops of {@code init}, seeded by {@code seed}. */
  Operand<TFloat32> create(Ops init, Shape shape, long seed);

  /** Returns an initializer of zeros. */
  static Initializer zeros() {
    return (init, shape, seed) -> init.zeros(init.constant(shape), TFloat32.class);
  }

  /** Returns an initializer that fills the variable with {@code value}. */
  static Initializer constant(float value) {
    return (init, shape, seed) -> init.fill(init.constant(shape), init.constant(value));
  }

  /** Returns an initializer of the given values, whose length must equal the shape's size. */
  static Initializer values(float[] values) {
    return (init, shape, seed) -> {
      if (values.length != shape.size()) {
        throw new IllegalArgumentException(
            "initial values have "
                + values.length
                + " elements, shape "
                + shape
                + " needs "
                + shape.size());
      }
      return init.reshape(init.constant(values), init.constant(shape));
    };
  }

  /** Returns an initializer uniform in {@code [-limit, limit)}. */
  static Initializer uniform(float limit) {
    return (init, shape, seed) -> {
      Operand<TFloat32> unit =
          init.random.statelessRandomUniform(init.constant(shape), seedPair(init, seed));
      return init.math.mul(init.math.sub(unit, init.constant(0.5f)), init.constant(2f * limit));
    };
  }

  /** Returns the Glorot (Xavier) uniform initializer of a {@code [fanIn, fanOut]} matrix. */
  static Initializer glorotUniform() {
    return (init, shape, seed) -> {
      long fanIn = shape.size(0);
      long fanOut = shape.numDimensions() > 1 ? shape.size(1) : shape.size(0);
      float limit = (float) Math.sqrt(6.0 / (fanIn + fanOut));
      return uniform(limit).create(init, shape, seed);
    };
  }

  /**
   * Returns the orthogonal initializer of a {@code [H, nH]} matrix: the Q factor of a Gaussian
   * matrix with the signs of R's diagonal folded in, as Keras does.
   */
  static Initializer orthogonal() {
    return (init, shape, seed) -> {
      long rows = shape.size(0);
      long cols = shape.size(1);
      boolean transpose = rows < cols;
      Shape gaussianShape = transpose ? Shape.of(cols, rows) : Shape.of(rows, cols);
      Operand<TFloat32> gaussian =
          init.random.statelessRandomNormal(init.constant(gaussianShape), seedPair(init, seed));
      var qr = init.linalg.qr(gaussian);
      Operand<TFloat32> signs =
          init.math.sign(init.linalg.matrixDiagPart(qr.r(), init.constant(0), init.constant(0f)));
      Operand<TFloat32> q = init.math.mul(qr.q(), signs);
      return transpose ? init.linalg.transpose(q, init.constant(new int[] {1, 0})) : q;
    };
  }

  private static Operand<TInt64> seedPair(Ops init, long seed) {
    return init.constant(new long[] {seed, 0x5eedL});
  }
}
