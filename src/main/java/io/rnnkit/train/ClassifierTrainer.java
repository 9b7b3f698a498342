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
import org.tensorflow.types.TBool;
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
  private final List<LayerGroup> groups;
  private GroupSchedule groupSchedule;
  private long step;

  public ClassifierTrainer(ModelSession model, LearningRateSchedule schedule) {
    this(model, schedule, null);
  }

  /**
   * Creates a trainer whose updates are built per layer group with {@link
   * ModelSession#buildGroupedUpdate}. Until {@link #setGroupSchedule} is called, every group trains
   * at the rate of {@code schedule}.
   *
   * @param groups the layer groups, or {@code null} for one update of all trained variables
   */
  public ClassifierTrainer(
      ModelSession model, LearningRateSchedule schedule, List<LayerGroup> groups) {
    this.model = model;
    this.schedule = schedule;
    this.groups = groups == null ? null : List.copyOf(groups);
  }

  /**
   * Sets the learning rate and on/off switch of each layer group; needs a trainer made with layer
   * groups.
   */
  public void setGroupSchedule(GroupSchedule groupSchedule) {
    if (groups == null) {
      throw new IllegalStateException(
          "this trainer has no layer groups; create it with the constructor that takes groups");
    }
    this.groupSchedule = groupSchedule;
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
    return train(batches, maxUpdates, 0);
  }

  /**
   * Trains on {@code batches} in the given order as epoch {@code epoch} (counting from 0), which
   * selects the layer groups' rates and switches.
   *
   * @param maxUpdates stop after this many updates; 0 means all batches
   * @return the mean loss per row and throughput
   */
  public PassStats train(List<Batch> batches, int maxUpdates, int epoch) {
    TrainingPass pass = startPass(batches, maxUpdates, epoch);
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
    return startPass(batches, maxUpdates, 0);
  }

  /**
   * Starts a training pass as epoch {@code epoch}, which selects the layer groups' rates and
   * switches.
   */
  public TrainingPass startPass(List<Batch> batches, int maxUpdates, int epoch) {
    return new BatchPass(batches, maxUpdates, batch -> update(batch, epoch), Batch::size);
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
  private double update(Batch batch, int epoch) {
    Session session = model.start();
    BucketGraph graph = graph(batch.bucketLength(), true);
    List<Tensor> inputs = new ArrayList<>();
    try {
      Session.Runner runner = feed(session.runner(), graph, batch, inputs);
      if (graph.grouped == null) {
        TFloat32 rate = TFloat32.scalarOf(schedule.rate(step));
        inputs.add(rate);
        runner.feed(model.learningRate(), rate);
      } else {
        feedGroups(runner, graph.grouped, epoch, inputs);
      }
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

  private void feedGroups(
      Session.Runner runner, ModelSession.GroupedUpdate grouped, int epoch, List<Tensor> inputs) {
    GroupSchedule current =
        groupSchedule != null
            ? groupSchedule
            : GroupSchedule.constant(schedule.rate(step), groups.size());
    float[] rates = current.rates(step, epoch);
    boolean[] enabled = current.enabled(epoch);
    if (rates.length != groups.size() || enabled.length != groups.size()) {
      throw new IllegalStateException(
          "the group schedule must give one rate and one switch per group ("
              + groups.size()
              + "), got "
              + rates.length
              + " rates and "
              + enabled.length
              + " switches");
    }
    for (int g = 0; g < groups.size(); g++) {
      TFloat32 rate = TFloat32.scalarOf(rates[g]);
      inputs.add(rate);
      runner.feed(grouped.learningRates().get(g), rate);
      TBool on = TBool.scalarOf(enabled[g]);
      inputs.add(on);
      runner.feed(grouped.enabled().get(g), on);
    }
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
    ModelSession.Update update = null;
    ModelSession.GroupedUpdate grouped = null;
    if (training && groups != null) {
      grouped = model.buildGroupedUpdate(loss, groups);
      update = new ModelSession.Update(grouped.train(), grouped.globalNorm());
    } else if (training) {
      update = model.buildUpdate(loss);
    }
    return new BucketGraph(tokens, lengths, labels, loss, tf.nn.softmax(logits), update, grouped);
  }

  private record BucketGraph(
      Placeholder<TInt32> tokens,
      Placeholder<TInt32> lengths,
      Placeholder<TInt32> labels,
      Operand<TFloat32> loss,
      Operand<TFloat32> probabilities,
      ModelSession.Update update,
      ModelSession.GroupedUpdate grouped) {}

  /**
   * Figures of one training pass.
   *
   * @param meanLoss mean cross-entropy per row over applied updates, in nats
   */
  public record PassStats(double meanLoss, long rows, long tokens, double seconds) {}
}
