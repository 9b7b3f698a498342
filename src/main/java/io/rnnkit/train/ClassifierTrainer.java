package io.rnnkit.train;

import io.rnnkit.data.BucketBatcher.Batch;
import io.rnnkit.model.Network;
import io.rnnkit.nn.Losses;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Trains and evaluates a sentence classifier on bucketed batches: one unrolled graph per bucket
 * length, all on the same variables.
 */
public final class ClassifierTrainer {

  private static final Logger log = LoggerFactory.getLogger(ClassifierTrainer.class);
  private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

  private final ModelSession model;
  private LearningRateSchedule schedule;
  private final StepGuard guard = new StepGuard(StepGuard.DEFAULT_MAX_CONSECUTIVE);
  private final Map<Integer, BucketGraph> trainGraphs = new HashMap<>();
  private final Map<Integer, BucketGraph> evalGraphs = new HashMap<>();
  private long step;

  public ClassifierTrainer(ModelSession model, LearningRateSchedule schedule) {
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

  /** Returns the number of updates skipped for a non-finite loss or gradient norm. */
  public long skippedSteps() {
    return guard.skipped();
  }

  /**
   * Trains on {@code batches} in the given order.
   *
   * @param maxUpdates stop after this many updates; 0 means all batches
   * @return the mean loss per row and throughput
   */
  public PassStats train(List<Batch> batches, int maxUpdates) {
    TrainingPass pass = startPass(batches, maxUpdates);
    long started = System.nanoTime();
    long lastLog = started;
    long rows = 0;
    while (pass.hasNext()) {
      Batch batch = batches.get(pass.position());
      if (Double.isFinite(pass.next())) {
        rows += batch.size();
      }
      long now = System.nanoTime();
      if (now - lastLog > LOG_INTERVAL_NANOS) {
        lastLog = now;
        log.info(
            "step {} loss {} ({} tokens/s)",
            step,
            String.format("%.4f", pass.meanLoss()),
            String.format("%.0f", pass.tokens() / ((now - started) / 1e9)));
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    return new PassStats(pass.meanLoss(), rows, pass.tokens(), seconds);
  }

  /**
   * Starts a training pass over {@code batches} that the caller steps one batch at a time.
   *
   * @param maxUpdates stop after this many updates; 0 means all batches
   */
  public TrainingPass startPass(List<Batch> batches, int maxUpdates) {
    return new BatchPass(batches, maxUpdates, this::update, Batch::size);
  }

  /** Sets the count of attempted updates, as a resumed run must before its first update. */
  public void resumeAt(long step) {
    this.step = step;
  }

  /** Replaces the learning-rate schedule for the following updates. */
  public void setSchedule(LearningRateSchedule schedule) {
    this.schedule = schedule;
  }

  /** Returns the learning-rate schedule. */
  public LearningRateSchedule schedule() {
    return schedule;
  }

  /** Runs the update of one batch and returns its loss; not finite when the update was skipped. */
  private double update(Batch batch) {
    Session session = model.start();
    BucketGraph graph = graph(batch.bucketLength(), true);
    List<Tensor> inputs = new ArrayList<>();
    try {
      Session.Runner runner = feed(session.runner(), graph, batch, inputs);
      TFloat32 rate = TFloat32.scalarOf(schedule.rate(step));
      inputs.add(rate);
      runner.feed(model.learningRate(), rate);
      TInt64 seed = TInt64.vectorOf(model.training().getSeed(), step);
      inputs.add(seed);
      runner.feed(model.dropoutSeed(), seed);
      runner.fetch(graph.loss).fetch(graph.update.globalNorm()).addTarget(graph.update.train());
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

  /** Returns the class probabilities {@code [rows][C]} of every batch, in batch order. */
  public List<float[][]> predict(List<Batch> batches) {
    Session session = model.start();
    List<float[][]> probabilities = new ArrayList<>();
    for (Batch batch : batches) {
      BucketGraph graph = graph(batch.bucketLength(), false);
      List<Tensor> inputs = new ArrayList<>();
      try (Result result =
          feed(session.runner(), graph, batch, inputs).fetch(graph.probabilities).run()) {
        probabilities.add(Tensors.floats2d((TFloat32) result.get(0)));
      } finally {
        inputs.forEach(Tensor::close);
      }
    }
    return probabilities;
  }

  private static Session.Runner feed(
      Session.Runner runner, BucketGraph graph, Batch batch, List<Tensor> inputs) {
    TInt32 tokens = Tensors.ints(batch.tokens());
    inputs.add(tokens);
    TInt32 lengths = Tensors.ints(batch.lengths());
    inputs.add(lengths);
    runner.feed(graph.tokens, tokens).feed(graph.lengths, lengths);
    if (batch.labels() != null) {
      TInt32 labels = Tensors.ints(batch.labels());
      inputs.add(labels);
      runner.feed(graph.labels, labels);
    }
    return runner;
  }

  private BucketGraph graph(int length, boolean training) {
    Map<Integer, BucketGraph> cache = training ? trainGraphs : evalGraphs;
    return cache.computeIfAbsent(length, t -> build(t, training));
  }

  private BucketGraph build(int steps, boolean training) {
    Ops tf =
        model.ops().withSubScope((training ? "classifier_train_" : "classifier_eval_") + steps);
    Network network = model.network();
    Placeholder<TInt32> tokens =
        tf.withName("tokens").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, steps)));
    Placeholder<TInt32> lengths =
        tf.withName("lengths").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    Placeholder<TInt32> labels =
        tf.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    Network.Encoded encoded =
        network.encode(tf, tokens, lengths, steps, null, training, model.dropoutSeed());
    Operand<TFloat32> logits = network.classifierLogits(tf, encoded.outputs(), lengths, steps);
    Operand<TFloat32> loss =
        Losses.crossEntropy(tf, logits, labels, network.config().getNumClasses());
    ModelSession.Update update = training ? model.buildUpdate(loss) : null;
    return new BucketGraph(tokens, lengths, labels, loss, tf.nn.softmax(logits), update);
  }

  private record BucketGraph(
      Placeholder<TInt32> tokens,
      Placeholder<TInt32> lengths,
      Placeholder<TInt32> labels,
      Operand<TFloat32> loss,
      Operand<TFloat32> probabilities,
      ModelSession.Update update) {}

  /**
   * Figures of one training pass.
   *
   * @param meanLoss mean cross-entropy per row over applied updates, in nats
   */
  public record PassStats(double meanLoss, long rows, long tokens, double seconds) {}
}
