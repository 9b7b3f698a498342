package io.rnnkit.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Losses over padded batches.
 *
 * <p>A masked loss is the sum of the per-token losses of real tokens divided by the number of real
 * tokens in the batch. A batch with no real token has loss 0 and zero gradients. Padded positions
 * are removed with {@code Select}, not multiplied by 0, so a non-finite value there cannot turn the
 * sum into NaN.
 */
public final class Losses {
  private Losses() {}

  /**
   * Returns the masked mean of per-token values.
   *
   * @param perToken {@code [B, T]}
   * @param lengths {@code [B]} int32
   * @param timeSteps {@code T}
   */
  public static MaskedLoss maskedMean(
      Ops tf, Operand<TFloat32> perToken, Operand<TInt32> lengths, int timeSteps) {
    Operand<TBool> mask = Rnn.stepMask(tf, lengths, timeSteps);
    Operand<TFloat32> kept = tf.select(mask, perToken, tf.zerosLike(perToken));
    Operand<TFloat32> sum = tf.reduceSum(kept, tf.constant(new int[] {0, 1}));
    Operand<TFloat32> count =
        tf.reduceSum(tf.dtypes.cast(mask, TFloat32.class), tf.constant(new int[] {0, 1}));
    Operand<TFloat32> loss = tf.math.div(sum, tf.math.maximum(count, tf.constant(1f)));
    return new MaskedLoss(loss, sum, count);
  }

  /**
   * Returns the masked softmax cross-entropy of a sequence of logits.
   *
   * @param logits {@code [B, T, C]}
   * @param targets {@code [B, T]} int32 class ids; values at padded positions are ignored
   * @param lengths {@code [B]} int32
   */
  public static MaskedLoss sequenceCrossEntropy(
      Ops tf,
      Operand<TFloat32> logits,
      Operand<TInt32> targets,
      Operand<TInt32> lengths,
      int timeSteps,
      int classes) {
    Operand<TFloat32> rows = tf.reshape(logits, tf.constant(new int[] {-1, classes}));
    Operand<TInt32> flatTargets = tf.reshape(targets, tf.constant(new int[] {-1}));
    Operand<TFloat32> perRow = crossEntropyRows(tf, rows, flatTargets, classes);
    Operand<TFloat32> perToken = tf.reshape(perRow, tf.constant(new int[] {-1, timeSteps}));
    return maskedMean(tf, perToken, lengths, timeSteps);
  }

  /**
   * Returns the mean softmax cross-entropy of one prediction per row.
   *
   * @param logits {@code [B, C]}
   * @param labels {@code [B]} int32 class ids
   */
  public static Operand<TFloat32> crossEntropy(
      Ops tf, Operand<TFloat32> logits, Operand<TInt32> labels, int classes) {
    Operand<TFloat32> perRow = crossEntropyRows(tf, logits, labels, classes);
    return tf.math.mean(perRow, tf.constant(0));
  }

  /**
   * Returns {@code -log softmax(logits)[label]} for each row, {@code [N]}. Uses the dense {@code
   * SoftmaxCrossEntropyWithLogits} on one-hot labels because the sparse op has no gradient
   * registered in TensorFlow Java's native library.
   */
  static Operand<TFloat32> crossEntropyRows(
      Ops tf, Operand<TFloat32> logits, Operand<TInt32> labels, int classes) {
    Operand<TFloat32> oneHot =
        tf.oneHot(labels, tf.constant(classes), tf.constant(1f), tf.constant(0f));
    return tf.nn.softmaxCrossEntropyWithLogits(logits, oneHot).loss();
  }

  /**
   * A masked loss with its parts: {@code loss = sum / max(count, 1)}.
   *
   * @param loss scalar mean over real tokens
   * @param sum scalar sum over real tokens
   * @param count scalar number of real tokens, as float
   */
  public record MaskedLoss(
      Operand<TFloat32> loss, Operand<TFloat32> sum, Operand<TFloat32> count) {}
}
