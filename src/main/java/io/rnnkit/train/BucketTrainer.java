package io.rnnkit.train;

import io.rnnkit.data.BucketBatcher.Batch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Base of the trainers on bucketed batches of sentences: one unrolled graph per bucket length, for
 * training and for evaluation, all on the same variables.
 *
 * @param <G> the graph of one bucket length
 */
abstract class BucketTrainer<G extends BucketTrainer.Graph> extends AbstractTrainer {

  /** Placeholders and outputs that the graph of every bucket length has. */
  interface Graph {
    Placeholder<TInt32> tokens();

    Placeholder<TInt32> lengths();

    /** Returns the mean loss of a batch, the value an update minimizes. */
    Operand<TFloat32> loss();

    /** Returns the update of a training graph, {@code null} in an evaluation graph. */
    ModelSession.Update update();
  }

  private final Map<Integer, G> trainGraphs = new HashMap<>();
  private final Map<Integer, G> evalGraphs = new HashMap<>();

  BucketTrainer(ModelSession model, LearningRateSchedule schedule) {
    super(model, schedule);
  }

  /** Builds the graphs of every bucket length before the session starts. */
  public void prepare(int[] bucketLengths) {
    for (int length : bucketLengths) {
      graph(length, true);
      graph(length, false);
    }
  }

  /** Builds the training or evaluation graph of bucket length {@code steps}. */
  abstract G build(int steps, boolean training);

  /** Feeds the targets of {@code batch}, its labels or tags, when it has them. */
  abstract void feedTargets(Session.Runner runner, G graph, Batch batch, List<Tensor> inputs);

  /** Feeds the learning rates of the next update, which may depend on {@code epoch}. */
  abstract void feedRates(Session.Runner runner, G graph, int epoch, List<Tensor> inputs);

  /** Runs the update of one batch and returns its loss; not finite when the update was skipped. */
  double runUpdate(Batch batch, int epoch) {
    Session session = model.start();
    G graph = graph(batch.bucketLength(), true);
    List<Tensor> inputs = new ArrayList<>();
    try {
      Session.Runner runner = feed(session.runner(), graph, batch, inputs);
      feedRates(runner, graph, epoch, inputs);
      feedDropoutSeed(runner, inputs);
      runner.fetch(graph.loss()).fetch(graph.update().globalNorm());
      runner.addTarget(graph.update().train());
      try (Result result = runner.run()) {
        double loss = ((TFloat32) result.get(0)).getFloat();
        double norm = ((TFloat32) result.get(1)).getFloat();
        return recordUpdate(loss, norm) ? loss : Double.NaN;
      }
    } finally {
      inputs.forEach(Tensor::close);
    }
  }

  /**
   * Runs the evaluation graph of every batch and returns its {@code output}, converted by {@code
   * read}, in batch order.
   */
  <R> List<R> evaluateBatches(
      List<Batch> batches, Function<G, Operand<?>> output, Function<Tensor, R> read) {
    Session session = model.start();
    List<R> results = new ArrayList<>();
    for (Batch batch : batches) {
      G graph = graph(batch.bucketLength(), false);
      List<Tensor> inputs = new ArrayList<>();
      try (Result result =
          feed(session.runner(), graph, batch, inputs).fetch(output.apply(graph)).run()) {
        results.add(read.apply(result.get(0)));
      } finally {
        inputs.forEach(Tensor::close);
      }
    }
    return results;
  }

  private Session.Runner feed(Session.Runner runner, G graph, Batch batch, List<Tensor> inputs) {
    TInt32 tokens = Tensors.ints(batch.tokens());
    inputs.add(tokens);
    TInt32 lengths = Tensors.ints(batch.lengths());
    inputs.add(lengths);
    runner.feed(graph.tokens(), tokens).feed(graph.lengths(), lengths);
    feedTargets(runner, graph, batch, inputs);
    return runner;
  }

  private G graph(int length, boolean training) {
    Map<Integer, G> cache = training ? trainGraphs : evalGraphs;
    return cache.computeIfAbsent(length, t -> build(t, training));
  }
}
