package io.rnnkit.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Pooling of recurrent outputs {@code [B, T, K]} over each row's real steps into {@code [B, K]}. A
 * row of length 0 pools to zeros in every mode.
 */
public final class SequencePooling {
  private SequencePooling() {}

  /** Returns the output at step {@code lengths[b] - 1} of each row, or zeros for length 0. */
  public static Operand<TFloat32> last(Ops tf, Operand<TFloat32> outputs, Operand<TInt32> lengths) {
    return at(
        tf,
        outputs,
        tf.math.maximum(tf.math.sub(lengths, tf.constant(1)), tf.constant(0)),
        lengths);
  }

  /** Returns the output at step 0 of each row, or zeros for length 0. */
  public static Operand<TFloat32> first(
      Ops tf, Operand<TFloat32> outputs, Operand<TInt32> lengths) {
    return at(tf, outputs, tf.zerosLike(lengths), lengths);
  }

  private static Operand<TFloat32> at(
      Ops tf, Operand<TFloat32> outputs, Operand<TInt32> steps, Operand<TInt32> lengths) {
    Operand<TInt32> batchSize = Rnn.batchSize(tf, lengths);
    Operand<TInt32> rows = tf.range(tf.constant(0), batchSize, tf.constant(1));
    Operand<TInt32> indices = tf.stack(List.of(rows, steps), org.tensorflow.op.core.Stack.axis(1L));
    Operand<TFloat32> picked = tf.gatherNd(outputs, indices);
    Operand<TBool> nonEmpty = tf.math.greater(lengths, tf.constant(0));
    return Rnn.selectRows(tf, nonEmpty, picked, tf.zerosLike(picked));
  }

  /** Returns the mean over real steps; padded outputs must be 0, as {@link Rnn} makes them. */
  public static Operand<TFloat32> mean(
      Ops tf, Operand<TFloat32> outputs, Operand<TInt32> lengths, int timeSteps) {
    Operand<TBool> mask = Rnn.stepMask(tf, lengths, timeSteps);
    Operand<TFloat32> kept =
        tf.select(tf.expandDims(mask, tf.constant(2)), outputs, tf.zerosLike(outputs));
    Operand<TFloat32> sum = tf.reduceSum(kept, tf.constant(1));
    Operand<TFloat32> count =
        tf.math.maximum(tf.dtypes.cast(lengths, TFloat32.class), tf.constant(1f));
    return tf.math.div(sum, tf.expandDims(count, tf.constant(1)));
  }

  /** Returns the element-wise maximum over real steps. */
  public static Operand<TFloat32> max(
      Ops tf, Operand<TFloat32> outputs, Operand<TInt32> lengths, int timeSteps) {
    Operand<TBool> mask = tf.expandDims(Rnn.stepMask(tf, lengths, timeSteps), tf.constant(2));
    Operand<TFloat32> lowest = tf.fill(tf.shape(outputs), tf.constant(-Float.MAX_VALUE));
    Operand<TFloat32> maximum = tf.reduceMax(tf.select(mask, outputs, lowest), tf.constant(1));
    Operand<TBool> nonEmpty = tf.math.greater(lengths, tf.constant(0));
    return Rnn.selectRows(tf, nonEmpty, maximum, tf.zerosLike(maximum));
  }
}
