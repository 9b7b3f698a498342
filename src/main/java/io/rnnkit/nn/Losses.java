package io.rnnkit.nn;

import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.SparseSoftmaxCrossEntropyWithLogits;
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
    // The sparse op rejects ids outside [0, C), so padded positions read class 0 instead.
    Operand<TInt32> kept =
        tf.select(Rnn.stepMask(tf, lengths, timeSteps), targets, tf.zerosLike(targets));
    Operand<TInt32> flatTargets = tf.reshape(kept, tf.constant(new int[] {-1}));
    Operand<TFloat32> perRow = crossEntropyRows(tf, rows, flatTargets);
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
    Operand<TFloat32> perRow = crossEntropyRows(tf, logits, tf.zerosLike(flatTargets));
    Operand<TFloat32> perToken = tf.reshape(perRow, tf.constant(new int[] {-1, timeSteps}));
    return maskedMean(tf, perToken, lengths, timeSteps);
  }

  /** Logit of a sampled class that equals the row's target: its softmax weight is 0. */
  static final float REMOVED_LOGIT = -1e9f;

  /**
   * Returns the mean softmax cross-entropy of one prediction per row.
   *
   * @param logits {@code [B, C]}
   * @param labels {@code [B]} int32 class ids in {@code [0, C)}
   * @param classes {@code C}, checked against the static shape of {@code logits}
   */
  public static Operand<TFloat32> crossEntropy(
      Ops tf, Operand<TFloat32> logits, Operand<TInt32> labels, int classes) {
    long staticClasses = logits.shape().numDimensions() == 2 ? logits.shape().size(1) : -1;
    if (staticClasses >= 0 && staticClasses != classes) {
      throw new IllegalArgumentException(
          "classes must match the last dimension of logits " + logits.shape() + ", got " + classes);
    }
    Operand<TFloat32> perRow = crossEntropyRows(tf, logits, labels);
    return tf.math.mean(perRow, tf.constant(0));
  }

  /**
   * Returns {@code -log softmax(logits)[label]} for each row, {@code [N]}, from TensorFlow's {@code
   * SparseSoftmaxCrossEntropyWithLogits}. Its kernel computes the loss and the gradient {@code
   * softmax - onehot(label)} in one pass without building one-hot labels ({@code [N, C]} floats, 45
   * MB for the language model's 1120 rows of 10,000 classes). TensorFlow Java has no gradient for
   * the op, so {@link #registerCrossEntropyGradient()} registers one. A label outside {@code [0,
   * C)} fails the run with an error that names it.
   */
  static Operand<TFloat32> crossEntropyRows(
      Ops tf, Operand<TFloat32> logits, Operand<TInt32> labels) {
    registerCrossEntropyGradient();
    return tf.nn.sparseSoftmaxCrossEntropyWithLogits(logits, labels).loss();
  }

  /**
   * Registers the gradient of {@code SparseSoftmaxCrossEntropyWithLogits} once per process: the
   * gradient of the loss output times the op's own {@code backprop} output, row by row, and zeros
   * for the integer labels. The gradient of the {@code backprop} output (a second derivative) is
   * not propagated.
   */
  static void registerCrossEntropyGradient() {
    CustomGradients.registerOnce(
        SparseSoftmaxCrossEntropyWithLogits.OP_NAME, Losses::crossEntropyGradient);
  }

  @SuppressWarnings("unchecked")
  private static List<Operand<?>> crossEntropyGradient(
      Ops tf, GraphOperation op, List<Output<?>> outputGradients) {
    Output<?> backpropOutput = op.output(1);
    Operand<TFloat32> backprop = (Operand<TFloat32>) backpropOutput;
    Operand<TInt32> labels = (Operand<TInt32>) (Operand<?>) op.input(1);
    Output<?> lossGradient = outputGradients.get(0);
    Operand<TFloat32> logitsGradient =
        lossGradient == null
            ? tf.zerosLike(backprop)
            : tf.math.mul(
                tf.expandDims((Operand<TFloat32>) lossGradient, tf.constant(1)), backprop);
    return List.of(logitsGradient, tf.zerosLike(labels));
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
