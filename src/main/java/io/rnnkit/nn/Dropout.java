package io.rnnkit.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Inverted dropout with stateless random masks, so that the same {@code seed} gives the same mask.
 *
 * <p>A mask element is {@code 1 / (1 - rate)} with probability {@code 1 - rate} and 0 otherwise,
 * drawn by {@code StatelessRandomUniform}. The mask does not depend on any variable, so it adds no
 * op without a gradient to the gradient path.
 */
public final class Dropout {
  private Dropout() {}

  /**
   * Returns a dropout mask.
   *
   * @param shape int32 shape of the mask
   * @param rate fraction of elements set to 0, in {@code [0, 1)}
   * @param seed int64 {@code [2]} seed of {@code StatelessRandomUniform}
   */
  public static Operand<TFloat32> mask(
      Ops tf, Operand<TInt32> shape, float rate, Operand<TInt64> seed) {
    Checks.rate("rate", rate);
    checkSeed(seed);
    Operand<TFloat32> uniform = tf.random.statelessRandomUniform(shape, seed, TFloat32.class);
    Operand<TFloat32> kept =
        tf.dtypes.cast(tf.math.greaterEqual(uniform, tf.constant(rate)), TFloat32.class);
    return tf.math.mul(kept, tf.constant(1f / (1f - rate)));
  }

  /** Multiplies {@code x} by a mask of its own shape; returns {@code x} when {@code rate} is 0. */
  public static Operand<TFloat32> apply(
      Ops tf, Operand<TFloat32> x, float rate, Operand<TInt64> seed) {
    Checks.rate("rate", rate);
    if (rate == 0f) {
      return x;
    }
    return tf.math.mul(x, mask(tf, tf.shape(x), rate, seed));
  }

  /**
   * Returns a mask {@code [B, H]} for recurrent dropout: one mask per sequence, which the cell
   * multiplies into its hidden state at every step.
   */
  public static Operand<TFloat32> recurrentMask(
      Ops tf, Operand<TInt32> batchSize, int hiddenSize, float rate, Operand<TInt64> seed) {
    Operand<TInt32> shape = tf.stack(List.of(batchSize, tf.constant(hiddenSize)));
    return mask(tf, shape, rate, seed);
  }

  /**
   * Returns a seed derived from {@code seed} for dropout site number {@code site}, so that
   * different sites of one graph draw independent masks from one seed operand.
   */
  public static Operand<TInt64> siteSeed(Ops tf, Operand<TInt64> seed, int site) {
    checkSeed(seed);
    long offset = (site + 1) * 0x9E3779B97F4A7C15L;
    return tf.math.add(seed, tf.constant(new long[] {0L, offset}));
  }

  private static void checkSeed(Operand<TInt64> seed) {
    if (seed == null) {
      throw new IllegalArgumentException("seed must be an int64 [2] operand, got null");
    }
    var shape = seed.shape();
    if (!shape.isUnknown()
        && !(shape.numDimensions() == 1 && (shape.size(0) == 2 || shape.size(0) < 0))) {
      throw new IllegalArgumentException("seed must have shape [2], got shape " + shape);
    }
  }
}
