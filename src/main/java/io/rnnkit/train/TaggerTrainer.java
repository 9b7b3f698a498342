package io.rnnkit.train;

import io.rnnkit.data.BucketBatcher.Batch;
import io.rnnkit.model.Network;
import io.rnnkit.nn.Losses;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Trains and evaluates a sequence tagger on bucketed batches: one unrolled graph per bucket length,
 * all on the same variables. The loss is the cross-entropy of the tag logits averaged over real
 * tokens; padding steps are masked out.
 */
public final class TaggerTrainer {

  private final ModelSession model;
  private LearningRateSchedule schedule;
  private final StepGuard guard = new StepGuard(StepGuard.DEFAULT_MAX_CONSECUTIVE);
  private final Map<Integer, BucketGraph> trainGraphs = new HashMap<>();
  private final Map<Integer, BucketGraph> evalGraphs = new HashMap<>();
  private long step;

  public TaggerTrainer(ModelSession model, LearningRateSchedule schedule) {
    this.model = model;
    this.schedule = schedule;
  }

  /** Builds the graphs of every bucket length before the session starts. */
  public void prepare(int[] bucketLengths) {
    for (int length : bucketLengths) {
      graph(length, true);
      graph(length, false);
    }
  }

  /** Returns the number of updates attempted so far. */
  public long step() {
    return step;
  }

  /** Sets the count of attempted updates, as a resumed run must before its first update. */
  public void resumeAt(long step) {
    this.step = step;
  }

  /** Returns the number of updates skipped for a non-finite loss or gradient norm. */
  public long skippedSteps() {
    return guard.skipped();
  }

  /** Replaces the learning-rate schedule for the following updates. */
  public void setSchedule(LearningRateSchedule schedule) {
    this.schedule = schedule;
  }

  /** Returns the learning-rate schedule. */
  public LearningRateSchedule schedule() {
    return schedule;
  }

  /**
   * Starts a training pass over {@code batches}, which must carry tags, that the caller steps one
   * batch at a time. The pass mean loss is per real token.
   *
   * @param maxUpdates stop after this many updates; 0 means all batches
   */
  public TrainingPass startPass(List<Batch> batches, int maxUpdates) {
    return new BatchPass(batches, maxUpdates, this::update, Batch::realTokens);
  }

  private double update(Batch batch) {
    if (batch.tags() == null) {
      throw new IllegalArgumentException("a tagger trains on batches with tags; this one has none");
    }
    Session session = model.start();
    BucketGraph graph = graph(batch.bucketLength(), true);
    List<Tensor> inputs = new ArrayList<>();
    try {
      Session.Runner runner = feed(session.runner(), graph, batch, inputs);
      TInt32 tags = Tensors.ints(batch.tags());
      inputs.add(tags);
      runner.feed(graph.tags, tags);
      TFloat32 rate = TFloat32.scalarOf(schedule.rate(step));
      inputs.add(rate);
      runner.feed(model.learningRate(), rate);
      TInt64 seed = TInt64.vectorOf(model.training().getSeed(), step);
      inputs.add(seed);
      runner.feed(model.dropoutSeed(), seed);
      runner.fetch(graph.loss.loss()).fetch(graph.update.globalNorm());
      runner.addTarget(graph.update.train());
      try (Result result = runner.run()) {
        double loss = ((TFloat32) result.get(0)).getFloat();
        double norm = ((TFloat32) result.get(1)).getFloat();
        boolean applied = guard.record(step, loss, norm);
        step++;
        return applied ? loss : Double.NaN;
      }
    } finally {
      inputs.forEach(Tensor::close);
    }
  }

  /** Returns the predicted tag ids {@code [rows][bucketLength]} of every batch, in batch order. */
  public List<int[][]> predict(List<Batch> batches) {
    Session session = model.start();
    List<int[][]> predictions = new ArrayList<>();
    for (Batch batch : batches) {
      BucketGraph graph = graph(batch.bucketLength(), false);
      List<Tensor> inputs = new ArrayList<>();
      try (Result result =
          feed(session.runner(), graph, batch, inputs).fetch(graph.predictions).run()) {
        predictions.add(StdArrays.array2dCopyOf((TInt32) result.get(0)));
      } finally {
        inputs.forEach(Tensor::close);
      }
    }
    return predictions;
  }

  private static Session.Runner feed(
      Session.Runner runner, BucketGraph graph, Batch batch, List<Tensor> inputs) {
    TInt32 tokens = Tensors.ints(batch.tokens());
    inputs.add(tokens);
    TInt32 lengths = Tensors.ints(batch.lengths());
    inputs.add(lengths);
    return runner.feed(graph.tokens, tokens).feed(graph.lengths, lengths);
  }

  private BucketGraph graph(int length, boolean training) {
    Map<Integer, BucketGraph> cache = training ? trainGraphs : evalGraphs;
    return cache.computeIfAbsent(length, t -> build(t, training));
  }

  private BucketGraph build(int steps, boolean training) {
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

  private record BucketGraph(
      Placeholder<TInt32> tokens,
      Placeholder<TInt32> lengths,
      Placeholder<TInt32> tags,
      Losses.MaskedLoss loss,
      Operand<TInt32> predictions,
      ModelSession.Update update) {}
}
