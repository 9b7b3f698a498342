package io.rnnkit.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Pooling of a padded sequence {@code [B, T, F]} into one vector {@code [B, F]} per row, using only
 * the first {@code lengths[b]} steps. A row of length 0 pools to 0 in every mode, with zero
 * gradients.
 */
public final class SequencePooling {
  private SequencePooling() {}

  /** Returns the mean over each row's real steps, {@code [B, F]}. */
  public static Operand<TFloat32> mean(
      Ops tf, Operand<TFloat32> sequence, Operand<TInt32> lengths, int timeSteps) {
    Operand<TFloat32> kept = keepRealSteps(tf, sequence, lengths, timeSteps, tf.constant(0f));
    Operand<TFloat32> sum = tf.reduceSum(kept, tf.constant(1));
    Operand<TFloat32> count =
        tf.expandDims(
            tf.math.maximum(tf.dtypes.cast(lengths, TFloat32.class), tf.constant(1f)),
            tf.constant(1));
    return tf.math.div(sum, count);
  }

  /** Returns the element-wise maximum over each row's real steps, {@code [B, F]}. */
  public static Operand<TFloat32> max(
      Ops tf, Operand<TFloat32> sequence, Operand<TInt32> lengths, int timeSteps) {
    Operand<TFloat32> kept =
        keepRealSteps(tf, sequence, lengths, timeSteps, tf.constant(-Float.MAX_VALUE));
    Operand<TFloat32> maximum = tf.max(kept, tf.constant(1));
    Operand<TBool> nonEmpty = tf.math.greater(lengths, tf.constant(0));
    return Rnn.selectRows(tf, nonEmpty, maximum, tf.zerosLike(maximum));
  }

  /**
   * Returns the step at index {@code lengths[b] - 1} of each row, {@code [B, F]}: the last output
   * of a forward layer. For the backward half of a bidirectional output, pool step 0 instead (see
   * {@link Bidirectional}).
   */
  public static Operand<TFloat32> last(
      Ops tf, Operand<TFloat32> sequence, Operand<TInt32> lengths) {
    Operand<TInt32> index = tf.math.maximum(tf.math.sub(lengths, tf.constant(1)), tf.constant(0));
    Operand<TInt32> rows = tf.range(tf.constant(0), Rnn.batchSize(tf, lengths), tf.constant(1));
    Operand<TInt32> pairs = tf.stack(List.of(rows, index), org.tensorflow.op.core.Stack.axis(1L));
    Operand<TFloat32> picked = tf.gatherNd(sequence, pairs);
    Operand<TBool> nonEmpty = tf.math.greater(lengths, tf.constant(0));
    return Rnn.selectRows(tf, nonEmpty, picked, tf.zerosLike(picked));
  }

  /** Replaces the padded steps of {@code [B, T, F]} by {@code fill}. */
  private static Operand<TFloat32> keepRealSteps(
      Ops tf,
      Operand<TFloat32> sequence,
      Operand<TInt32> lengths,
      int timeSteps,
      Operand<TFloat32> fill) {
    Operand<TBool> mask = tf.expandDims(Rnn.stepMask(tf, lengths, timeSteps), tf.constant(2));
    // Fill from the int32 shape keeps the padding value off the gradient path (OnesLike has no
    // gradient in TensorFlow Java 1.1.0).
    Operand<TFloat32> fillAll = tf.fill(tf.shape(sequence), fill);
    return tf.select(mask, sequence, fillAll);
  }
}
