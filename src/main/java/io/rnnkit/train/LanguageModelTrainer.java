package io.rnnkit.train;

import io.rnnkit.data.BpttLanes;
import io.rnnkit.data.BpttLanes.BpttWindow;
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
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Trains and evaluates a language model with truncated backpropagation through time.
 *
 * <p>The token stream is cut into {@code B} lanes ({@link BpttLanes}); each update trains on the
 * next window of {@code T} tokens of every lane. The state a window ends with is fed back as the
 * initial state of the next window, as a value, so no gradient crosses the window boundary. A
 * lane's state is zeroed where a document starts, at a window's first step or inside it, and every
 * state is zeroed when the number of lanes changes.
 *
 * <p>With {@code TrainingConfig.sampled_softmax} set, training graphs use {@link
 * Losses#sampledSequenceCrossEntropy} with classes drawn by a {@link LogUniformSampler} for every
 * update, so the loss a training pass reports is the sampled one; evaluation always uses the full
 * softmax.
 */
public final class LanguageModelTrainer extends AbstractTrainer {

  private final Map<Integer, WindowGraph> trainGraphs = new HashMap<>();
  private final Map<Integer, WindowGraph> evalGraphs = new HashMap<>();
  private LogUniformSampler sampler;

  public LanguageModelTrainer(ModelSession model, LearningRateSchedule schedule) {
    super(model, schedule);
  }

  /**
   * Builds the training and evaluation graphs of window length {@code steps} ahead of time, so that
   * the session starts with every variable and slot it needs.
   */
  public void prepare(int steps) {
    graph(steps, true);
    graph(steps, false);
  }

  /**
   * Runs one pass over every window of {@code lanes}.
   *
   * @param maxUpdates stop after this many updates; 0 means the whole pass
   * @return mean loss per real token and throughput of the pass
   */
  public PassStats train(BpttLanes lanes, int steps, int maxUpdates) {
    return run(lanes, steps, true, maxUpdates);
  }

  /** Returns the mean loss per token over {@code lanes} (perplexity is its exponential). */
  public PassStats evaluate(BpttLanes lanes, int steps) {
    return run(lanes, steps, false, 0);
  }

  private PassStats run(BpttLanes lanes, int steps, boolean training, int maxUpdates) {
    Pass pass = new Pass(lanes, steps, training, maxUpdates);
    PassClock clock = startClock();
    while (pass.hasNext()) {
      pass.next();
      if (training) {
        clock.tick(pass);
      }
    }
    return new PassStats(pass.meanLoss(), pass.tokens(), clock.seconds(), pass.position());
  }

  /**
   * Starts a training pass over {@code lanes} that the caller steps one window at a time.
   *
   * @param maxUpdates stop after this many updates; 0 means every window
   */
  public TrainingPass startPass(BpttLanes lanes, int steps, int maxUpdates) {
    return new Pass(lanes, steps, true, maxUpdates);
  }

  /** Windows of one pass, with the recurrent state carried from each window to the next. */
  private final class Pass extends CountingPass {
    private final WindowGraph graph;
    private final boolean training;
    private final List<BpttWindow> windows;
    private float[][][] state;

    Pass(BpttLanes lanes, int steps, boolean training, int maxUpdates) {
      this(graph(steps, training), training, lanes.windows(steps), lanes.laneCount(), maxUpdates);
    }

    private Pass(
        WindowGraph graph,
        boolean training,
        List<BpttWindow> windows,
        int laneCount,
        int maxUpdates) {
      super(windows.size(), maxUpdates);
      this.graph = graph;
      this.training = training;
      this.windows = windows;
      this.state = zeroState(laneCount, model.network().config().getHiddenSize());
    }

    @Override
    public double next() {
      BpttWindow window = windows.get(position());
      resetLanes(state, window.resetState());
      WindowResult result = runWindow(model.start(), graph, window, state, training);
      state = result.finalState();
      advance(result.tokens());
      double mean = result.lossSum() / Math.max(result.tokens(), 1);
      if (!training || Double.isFinite(mean)) {
        addLoss(result.lossSum(), result.tokens());
      }
      return mean;
    }

    @Override
    public PassPosition snapshot() {
      return snapshotWith(state);
    }

    @Override
    public void restore(PassPosition saved) {
      if (saved.carriedState() == null
          || saved.carriedState().length != state.length
          || saved.carriedState()[0].length != state[0].length) {
        throw new IllegalArgumentException(
            "the saved recurrent state does not match this model's "
                + state.length
                + " state parts of "
                + state[0].length
                + " lanes; resume with the batch size and model of the saved run");
      }
      restoreCounts(saved);
      state = saved.carriedState();
    }
  }

  private WindowResult runWindow(
      Session session, WindowGraph graph, BpttWindow window, float[][][] state, boolean training) {
    List<Tensor> inputs = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      runner.feed(graph.inputs, track(inputs, Tensors.ints(window.inputs())));
      runner.feed(graph.targets, track(inputs, Tensors.ints(window.targets())));
      runner.feed(graph.lengths, track(inputs, Tensors.ints(window.lengths())));
      runner.feed(
          graph.documentStarts,
          track(inputs, TBool.tensorOf(StdArrays.ndCopyOf(window.documentStarts()))));
      for (int part = 0; part < state.length; part++) {
        runner.feed(graph.initialState.get(part), track(inputs, Tensors.floats(state[part])));
      }
      runner.fetch(graph.loss.sum()).fetch(graph.loss.count());
      graph.finalState.forEach(runner::fetch);
      if (training) {
        feedRate(runner, inputs);
        feedDropoutSeed(runner, inputs);
        runner.fetch(graph.update.globalNorm()).addTarget(graph.update.train());
        if (graph.sampled != null) {
          feedSample(runner, graph.sampled, window.targets(), inputs);
        }
      }
      try (Result result = runner.run()) {
        double sum = ((TFloat32) result.get(0)).getFloat();
        long count = (long) ((TFloat32) result.get(1)).getFloat();
        float[][][] next = new float[state.length][][];
        for (int part = 0; part < state.length; part++) {
          next[part] = Tensors.floats2d((TFloat32) result.get(2 + part));
        }
        if (training) {
          double norm = ((TFloat32) result.get(2 + state.length)).getFloat();
          recordUpdate(sum / Math.max(count, 1), norm);
        }
        return new WindowResult(sum, count, next);
      }
    } finally {
      inputs.forEach(Tensor::close);
    }
  }

  private void feedSample(
      Session.Runner runner, SampledInputs sampled, int[][] targets, List<Tensor> inputs) {
    LogUniformSampler.Sample sample = sampler.draw(targets);
    runner.feed(sampled.ids(), track(inputs, Tensors.ints(sample.ids())));
    runner.feed(sampled.logQ(), track(inputs, TFloat32.vectorOf(sample.logQ())));
    runner.feed(sampled.targetLogQ(), track(inputs, Tensors.floats(sample.targetLogQ())));
  }

  private static <T extends Tensor> T track(List<Tensor> tensors, T tensor) {
    tensors.add(tensor);
    return tensor;
  }

  private float[][][] zeroState(int lanes, int hidden) {
    return new float[model.network().statePartCount()][lanes][hidden];
  }

  private static void resetLanes(float[][][] state, boolean[] reset) {
    for (float[][] part : state) {
      for (int lane = 0; lane < reset.length; lane++) {
        if (reset[lane]) {
          java.util.Arrays.fill(part[lane], 0f);
        }
      }
    }
  }

  private WindowGraph graph(int steps, boolean training) {
    Map<Integer, WindowGraph> cache = training ? trainGraphs : evalGraphs;
    return cache.computeIfAbsent(steps, t -> build(t, training));
  }

  private WindowGraph build(int steps, boolean training) {
    Ops tf = model.ops().withSubScope((training ? "lm_train_" : "lm_eval_") + steps);
    Network network = model.network();
    Placeholder<TInt32> inputs =
        tf.withName("inputs").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, steps)));
    Placeholder<TInt32> targets =
        tf.withName("targets").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, steps)));
    Placeholder<TInt32> lengths =
        tf.withName("lengths").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    Placeholder<TBool> documentStarts =
        tf.withName("document_starts")
            .placeholder(TBool.class, Placeholder.shape(Shape.of(-1, steps)));
    List<Placeholder<TFloat32>> initialState = new ArrayList<>();
    int hidden = network.config().getHiddenSize();
    for (int part = 0; part < network.statePartCount(); part++) {
      initialState.add(
          tf.withName("initial_state_" + part)
              .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, hidden))));
    }
    Network.Encoded encoded =
        network.encode(
            tf,
            inputs,
            lengths,
            steps,
            List.copyOf(initialState),
            training,
            model.dropoutSeed(),
            documentStarts);
    int vocabulary = (int) model.store().shape(Network.LM_HEAD + "/bias").size(0);
    int samples = model.training().getSampledSoftmax();
    SampledInputs sampled = null;
    Losses.MaskedLoss loss;
    if (training && samples > 0) {
      if (sampler == null) {
        sampler = new LogUniformSampler(vocabulary, samples, model.training().getSeed());
      }
      sampled = SampledInputs.create(tf, steps);
      loss =
          Losses.sampledSequenceCrossEntropy(
              tf,
              encoded.outputs(),
              network.head(),
              targets,
              lengths,
              steps,
              sampled.ids(),
              sampled.logQ(),
              sampled.targetLogQ());
    } else {
      Operand<TFloat32> logits = network.languageModelLogits(tf, encoded.outputs(), steps);
      loss = Losses.sequenceCrossEntropy(tf, logits, targets, lengths, steps, vocabulary);
    }
    ModelSession.Update update = training ? model.buildUpdate(loss.loss()) : null;
    return new WindowGraph(
        inputs,
        targets,
        lengths,
        documentStarts,
        initialState,
        loss,
        encoded.finalState(),
        update,
        sampled);
  }

  /** Placeholders of the classes a sampled-softmax training graph is fed at every step. */
  private record SampledInputs(
      Placeholder<TInt32> ids, Placeholder<TFloat32> logQ, Placeholder<TFloat32> targetLogQ) {
    static SampledInputs create(Ops tf, int steps) {
      return new SampledInputs(
          tf.withName("sampled_ids").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1))),
          tf.withName("sampled_log_q").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1))),
          tf.withName("target_log_q")
              .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, steps))));
    }
  }

  private record WindowGraph(
      Placeholder<TInt32> inputs,
      Placeholder<TInt32> targets,
      Placeholder<TInt32> lengths,
      Placeholder<TBool> documentStarts,
      List<Placeholder<TFloat32>> initialState,
      Losses.MaskedLoss loss,
      List<Operand<TFloat32>> finalState,
      ModelSession.Update update,
      SampledInputs sampled) {}

  private record WindowResult(double lossSum, long tokens, float[][][] finalState) {}

  /**
   * Figures of one pass.
   *
   * @param meanLoss mean cross-entropy per real token, in nats
   * @param tokens number of real tokens
   * @param seconds wall time
   * @param windows number of windows run
   */
  public record PassStats(double meanLoss, long tokens, double seconds, int windows) {

    /** Returns {@code exp(meanLoss)}. */
    public double perplexity() {
      return Math.exp(meanLoss);
    }

    /** Returns real tokens per second. */
    public double tokensPerSecond() {
      return tokens / Math.max(seconds, 1e-9);
    }
  }
}
