package io.rnnkit.train;

import io.rnnkit.data.BucketBatcher.Batch;
import io.rnnkit.model.Network;
import io.rnnkit.nn.Losses;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Trains and evaluates a sequence tagger on bucketed batches: one unrolled graph per bucket length,
 * all on the same variables. The loss is the cross-entropy of the tag logits averaged over real
 * tokens; padding steps are masked out.
 */
public final class TaggerTrainer extends BucketTrainer<TaggerTrainer.BucketGraph> {

  public TaggerTrainer(ModelSession model, LearningRateSchedule schedule) {
    super(model, schedule);
  }

  /**
   * Starts a training pass over {@code batches}, which must carry tags, that the caller steps one
   * batch at a time. The pass mean loss is per real token.
   *
   * @param maxUpdates stop after this many updates; 0 means all batches
   */
  public TrainingPass startPass(List<Batch> batches, int maxUpdates) {
    return new BatchPass(
        batches, maxUpdates, batch -> runUpdate(requireTags(batch), 0), Batch::realTokens);
  }

  private static Batch requireTags(Batch batch) {
    if (batch.tags() == null) {
      throw new IllegalArgumentException("a tagger trains on batches with tags; this one has none");
    }
    return batch;
  }

  /** Returns the predicted tag ids {@code [rows][bucketLength]} of every batch, in batch order. */
  public List<int[][]> predict(List<Batch> batches) {
    return evaluateBatches(
        batches, BucketGraph::predictions, result -> StdArrays.array2dCopyOf((TInt32) result));
  }

  @Override
  void feedTargets(Session.Runner runner, BucketGraph graph, Batch batch, List<Tensor> inputs) {
    if (batch.tags() != null) {
      TInt32 tags = Tensors.ints(batch.tags());
      inputs.add(tags);
      runner.feed(graph.tags, tags);
    }
  }

  @Override
  void feedRates(Session.Runner runner, BucketGraph graph, int epoch, List<Tensor> inputs) {
    feedRate(runner, inputs);
  }

  @Override
  BucketGraph build(int steps, boolean training) {
    Ops tf = model.ops().withSubScope((training ? "tagger_train_" : "tagger_eval_") + steps);
    Network network = model.network();
    Placeholder<TInt32> tokens =
        tf.withName("tokens").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, steps)));
    Placeholder<TInt32> lengths =
        tf.withName("lengths").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    Placeholder<TInt32> tags =
        tf.withName("tags").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, steps)));
    Network.Encoded encoded =
        network.encode(tf, tokens, lengths, steps, null, training, model.dropoutSeed());
    Operand<TFloat32> logits = network.taggerLogits(tf, encoded.outputs(), steps);
    int classes = network.config().getNumClasses();
    Losses.MaskedLoss loss = Losses.sequenceCrossEntropy(tf, logits, tags, lengths, steps, classes);
    ModelSession.Update update = training ? model.buildUpdate(loss.loss()) : null;
    Operand<TInt32> predictions = tf.math.argMax(logits, tf.constant(2), TInt32.class);
    return new BucketGraph(tokens, lengths, tags, loss, predictions, update);
  }

  record BucketGraph(
      Placeholder<TInt32> tokens,
      Placeholder<TInt32> lengths,
      Placeholder<TInt32> tags,
      Losses.MaskedLoss maskedLoss,
      Operand<TInt32> predictions,
      ModelSession.Update update)
      implements BucketTrainer.Graph {

    @Override
    public Operand<TFloat32> loss() {
      return maskedLoss.loss();
    }
  }
}
