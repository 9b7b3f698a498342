package io.rnnkit.train;

import io.rnnkit.data.BucketBatcher.Batch;
import io.rnnkit.model.Network;
import io.rnnkit.nn.Losses;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Trains and evaluates a sentence classifier on bucketed batches: one unrolled graph per bucket
 * length, all on the same variables.
 */
public final class ClassifierTrainer extends BucketTrainer<ClassifierTrainer.BucketGraph> {

  private final List<LayerGroup> groups;
  private GroupSchedule groupSchedule;

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
    super(model, schedule);
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
    PassClock clock = startClock();
    long rows = 0;
    while (pass.hasNext()) {
      Batch batch = batches.get(pass.position());
      if (Double.isFinite(pass.next())) {
        rows += batch.size();
      }
      clock.tick(pass);
    }
    return new PassStats(pass.meanLoss(), rows, pass.tokens(), clock.seconds());
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
    return new BatchPass(batches, maxUpdates, batch -> runUpdate(batch, epoch), Batch::size);
  }

  /** Returns the class probabilities {@code [rows][C]} of every batch, in batch order. */
  public List<float[][]> predict(List<Batch> batches) {
    return evaluateBatches(
        batches, BucketGraph::probabilities, result -> Tensors.floats2d((TFloat32) result));
  }

  @Override
  void feedTargets(Session.Runner runner, BucketGraph graph, Batch batch, List<Tensor> inputs) {
    if (batch.labels() != null) {
      TInt32 labels = Tensors.ints(batch.labels());
      inputs.add(labels);
      runner.feed(graph.labels, labels);
    }
  }

  @Override
  void feedRates(Session.Runner runner, BucketGraph graph, int epoch, List<Tensor> inputs) {
    if (graph.grouped == null) {
      feedRate(runner, inputs);
    } else {
      feedGroups(runner, graph.grouped, epoch, inputs);
    }
  }

  private void feedGroups(
      Session.Runner runner, ModelSession.GroupedUpdate grouped, int epoch, List<Tensor> inputs) {
    GroupSchedule current =
        groupSchedule != null
            ? groupSchedule
            : GroupSchedule.constant(schedule().rate(step()), groups.size());
    float[] rates = current.rates(step(), epoch);
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

  @Override
  BucketGraph build(int steps, boolean training) {
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
    float lmLossWeight = network.config().getLmLossWeight();
    if (training && lmLossWeight > 0f) {
      Operand<TFloat32> lmLoss =
          network.auxiliaryLmLoss(tf, encoded.outputs(), tokens, lengths, steps);
      loss = tf.math.add(loss, tf.math.mul(tf.constant(lmLossWeight), lmLoss));
    }
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

  record BucketGraph(
      Placeholder<TInt32> tokens,
      Placeholder<TInt32> lengths,
      Placeholder<TInt32> labels,
      Operand<TFloat32> loss,
      Operand<TFloat32> probabilities,
      ModelSession.Update update,
      ModelSession.GroupedUpdate grouped)
      implements BucketTrainer.Graph {}

  /**
   * Figures of one training pass.
   *
   * @param meanLoss mean cross-entropy per row over applied updates, in nats
   */
  public record PassStats(double meanLoss, long rows, long tokens, double seconds) {}
}
