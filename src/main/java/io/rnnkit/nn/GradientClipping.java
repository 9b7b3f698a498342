package io.rnnkit.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Gradient clipping by global norm, as TensorFlow's {@code tf.clip_by_global_norm}. */
public final class GradientClipping {
  private GradientClipping() {}

  /**
   * Scales gradients so that their global norm is at most {@code clipNorm}.
   *
   * <p>{@code globalNorm = sqrt(sum of squared L2 norms)}; every gradient is multiplied by {@code
   * clipNorm / max(globalNorm, clipNorm)}, which leaves gradients within the bound unchanged. If
   * {@code globalNorm} is infinite or NaN, every clipped gradient is NaN (TensorFlow's behaviour
   * since 1.13), so that a caller can detect it and skip the update.
   *
   * @param gradients gradients of any shapes
   * @param clipNorm positive threshold
   * @return the clipped gradients and the global norm before clipping
   */
  public static Clipped clipByGlobalNorm(
      Ops tf, List<Operand<TFloat32>> gradients, float clipNorm) {
    if (!(clipNorm > 0f) || Float.isInfinite(clipNorm)) {
      throw new IllegalArgumentException("clipNorm must be positive and finite, got " + clipNorm);
    }
    Operand<TFloat32> norm = globalNorm(tf, gradients);
    Operand<TFloat32> finiteOrNan = tf.select(tf.math.isFinite(norm), norm, tf.constant(Float.NaN));
    Operand<TFloat32> limit = tf.constant(clipNorm);
    Operand<TFloat32> scale = tf.math.div(limit, tf.math.maximum(finiteOrNan, limit));
    List<Operand<TFloat32>> clipped = new ArrayList<>(gradients.size());
    for (Operand<TFloat32> gradient : gradients) {
      clipped.add(tf.math.mul(gradient, scale));
    }
    return new Clipped(clipped, norm);
  }

  /** Returns {@code sqrt(sum over gradients of sum(g * g))} as a scalar. */
  public static Operand<TFloat32> globalNorm(Ops tf, List<Operand<TFloat32>> gradients) {
    Operand<TFloat32> total = tf.constant(0f);
    for (Operand<TFloat32> gradient : gradients) {
      Operand<TFloat32> flat = tf.reshape(gradient, tf.constant(new int[] {-1}));
      total = tf.math.add(total, tf.reduceSum(tf.math.square(flat), tf.constant(0)));
    }
    return tf.math.sqrt(total);
  }

  /** Clipped gradients, in input order, and the global norm before clipping. */
  public record Clipped(List<Operand<TFloat32>> gradients, Operand<TFloat32> globalNorm) {}
}
