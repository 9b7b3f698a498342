package io.rnnkit.nn;

import java.util.List;
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
   * Returns the masked sampled-softmax cross-entropy of a sequence (Jean et al., 2015), the loss of
   * TensorFlow's {@code sampled_softmax_loss} with {@code remove_accidental_hits}.
   *
   * <p>Each real token is scored against its target and {@code S} sampled classes shared by the
   * batch. Every logit has {@code log Q} of its class subtracted, where {@code Q} is the expected
   * number of times the sampler draws that class, so the loss estimates the full softmax
   * cross-entropy. A sampled class equal to a row's target is removed from that row. The output
   * layer runs on {@code S + 1} classes instead of {@code V}; the gradient reaches only their
   * columns of {@code kernel} and {@code bias}. The product with the sampled classes runs in the
   * head's {@link Dense#matmulPrecision()}, while the target logits, row-wise dot products, stay
   * float32.
   *
   * @param outputs {@code [B, T, K]} inputs of the output layer
   * @param head output layer with {@code kernel [K, V]} and {@code bias [V]}
   * @param targets {@code [B, T]} int32 class ids
   * @param lengths {@code [B]} int32
   * @param sampled {@code [S]} int32 distinct sampled class ids
   * @param sampledLogQ {@code [S]} log expected count of each sampled class
   * @param targetLogQ {@code [B, T]} log expected count of each target class
   */
  public static MaskedLoss sampledSequenceCrossEntropy(
      Ops tf,
      Operand<TFloat32> outputs,
      Dense head,
      Operand<TInt32> targets,
      Operand<TInt32> lengths,
      int timeSteps,
      Operand<TInt32> sampled,
      Operand<TFloat32> sampledLogQ,
      Operand<TFloat32> targetLogQ) {
    int features = (int) head.kernel().shape().size(0);
    Operand<TFloat32> rows = tf.reshape(outputs, tf.constant(new int[] {-1, features}));
    Operand<TInt32> flatTargets = tf.reshape(targets, tf.constant(new int[] {-1}));
    Operand<TFloat32> flatTargetLogQ = tf.reshape(targetLogQ, tf.constant(new int[] {-1}));
    Operand<TFloat32> classRows = tf.linalg.transpose(head.kernel(), tf.constant(new int[] {1, 0}));
    Operand<TFloat32> targetWeights = tf.gather(classRows, flatTargets, tf.constant(0));
    Operand<TFloat32> targetLogits =
        tf.math.sub(
            tf.math.add(
                tf.reduceSum(tf.math.mul(rows, targetWeights), tf.constant(1)),
                tf.gather(head.bias(), flatTargets, tf.constant(0))),
            flatTargetLogQ);
    Operand<TFloat32> sampledWeights = tf.gather(classRows, sampled, tf.constant(0));
    Operand<TFloat32> sampledLogits =
        tf.math.sub(
            tf.math.add(
                MatMuls.matMulTransposeB(tf, rows, sampledWeights, head.matmulPrecision()),
                tf.gather(head.bias(), sampled, tf.constant(0))),
            sampledLogQ);
    Operand<TBool> hits =
        tf.math.equal(
            tf.expandDims(flatTargets, tf.constant(1)), tf.expandDims(sampled, tf.constant(0)));
    Operand<TFloat32> removed =
        tf.select(
            hits, tf.fill(tf.shape(sampledLogits), tf.constant(REMOVED_LOGIT)), sampledLogits);
    Operand<TFloat32> logits =
        tf.concat(List.of(tf.expandDims(targetLogits, tf.constant(1)), removed), tf.constant(1));
    Operand<TInt32> classes = tf.math.add(tf.size(sampled), tf.constant(1));
    Operand<TFloat32> labels =
        tf.oneHot(tf.zerosLike(flatTargets), classes, tf.constant(1f), tf.constant(0f));
    Operand<TFloat32> perRow = tf.nn.softmaxCrossEntropyWithLogits(logits, labels).loss();
    Operand<TFloat32> perToken = tf.reshape(perRow, tf.constant(new int[] {-1, timeSteps}));
    return maskedMean(tf, perToken, lengths, timeSteps);
  }

  /** Logit of a sampled class that equals the row's target: its softmax weight is 0. */
  static final float REMOVED_LOGIT = -1e9f;

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
