package io.rnnkit.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Combination of the forward and backward outputs of {@link Bidirectional}, as Keras {@code
 * merge_mode}.
 */
public enum MergeMode {
  /** Concatenation on the last axis, forward first: {@code [B, T, 2H]}. The Keras default. */
  CONCAT,
  /** Element-wise sum: {@code [B, T, H]}. */
  SUM,
  /** Element-wise mean: {@code [B, T, H]}. */
  AVERAGE,
  /** Element-wise product: {@code [B, T, H]}. */
  MULTIPLY;

  /** Returns the last dimension of the merged output for hidden size {@code H}. */
  public int outputSize(int hiddenSize) {
    return this == CONCAT ? 2 * hiddenSize : hiddenSize;
  }

  /** Merges {@code forward} and {@code backward}, both {@code [B, T, H]}. */
  public Operand<TFloat32> merge(Ops tf, Operand<TFloat32> forward, Operand<TFloat32> backward) {
    return switch (this) {
      case CONCAT -> tf.concat(List.of(forward, backward), tf.constant(-1));
      case SUM -> tf.math.add(forward, backward);
      case AVERAGE -> tf.math.mul(tf.math.add(forward, backward), tf.constant(0.5f));
      case MULTIPLY -> tf.math.mul(forward, backward);
    };
  }
}
