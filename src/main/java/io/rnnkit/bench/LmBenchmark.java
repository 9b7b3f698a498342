package io.rnnkit.bench;

import io.rnnkit.config.CellKind;
import io.rnnkit.config.DeviceKind;
import io.rnnkit.config.MatmulPrecision;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.RecurrentKernel;
import io.rnnkit.config.TaskKind;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.Vocabulary;
import io.rnnkit.export.SavedModelExporter;
import io.rnnkit.model.ModelConfigs;
import io.rnnkit.model.Network;
import io.rnnkit.nn.Losses;
import io.rnnkit.train.Checkpoints;
import io.rnnkit.train.LogUniformSampler;
import io.rnnkit.train.ModelSession;
import io.rnnkit.train.SessionConfigs;
import io.rnnkit.train.Tensors;
import io.rnnkit.train.TrainingConfigs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * Measures training and inference throughput of rnnkit language models on synthetic token ids, next
 * to a MatMul micro-benchmark of the same machine, and prints a markdown table.
 *
 * <p>Each case builds the graphs the library builds ({@link Network}, {@link Losses}, {@link
 * ModelSession#buildUpdate}), runs warm-up steps, then reports the median tokens/s of the timed
 * steps. The FLOP count of a token is that of its matrix products: per layer and direction {@code 2
 * (I + H) G H} (G = 4 gates for LSTM, 3 for GRU) and {@code 2 D H V} for the output layer (or
 * {@code 2 D H (S + 1)} with a sampled softmax); a training step counts 3 times the forward
 * products (forward, and two products per matrix backwards). Peak memory is {@code VmHWM}, reset
 * before each case through {@code /proc/self/clear_refs}. Each case also exports its trained model
 * and times {@code SavedModelBundle.load} (median of 3 loads, so the files are in the page cache).
 *
 * <p>Arguments: {@code --quick} (a subset with fewer steps), {@code --steps N}, {@code --warmup N},
 * {@code --threads N}, {@code --out FILE} (also write the table there), {@code --matmul-precision
 * float32|bfloat16} (the {@code matmul_precision} of every case; bfloat16 leaves out the fused
 * cases, which do not support it), {@code --standard-only} (only the standard workload).
 */
public final class LmBenchmark {

  /** One workload. {@code samples} 0 means the full softmax. */
  record Case(
      String label,
      CellKind cell,
      int embedding,
      int hidden,
      int vocabulary,
      int batch,
      int steps,
      boolean bidirectional,
      RecurrentKernel kernel,
      int samples) {

    static Case standard() {
      return new Case(
          "standard", CellKind.LSTM, 256, 512, 10_000, 32, 35, false, RecurrentKernel.UNROLLED, 0);
    }

    Case named(String newLabel) {
      return new Case(
          newLabel,
          cell,
          embedding,
          hidden,
          vocabulary,
          batch,
          steps,
          bidirectional,
          kernel,
          samples);
    }

    Case withHidden(int h) {
      return new Case(
          label, cell, embedding, h, vocabulary, batch, steps, bidirectional, kernel, samples);
    }

    Case withBatch(int b) {
      return new Case(
          label, cell, embedding, hidden, vocabulary, b, steps, bidirectional, kernel, samples);
    }

    Case withSteps(int t) {
      return new Case(
          label, cell, embedding, hidden, vocabulary, batch, t, bidirectional, kernel, samples);
    }

    Case withCell(CellKind c) {
      return new Case(
          label, c, embedding, hidden, vocabulary, batch, steps, bidirectional, kernel, samples);
    }

    Case asBidirectional() {
      return new Case(
          label, cell, embedding, hidden, vocabulary, batch, steps, true, kernel, samples);
    }

    Case withKernel(RecurrentKernel k) {
      return new Case(
          label, cell, embedding, hidden, vocabulary, batch, steps, bidirectional, k, samples);
    }

    Case withSamples(int s) {
      return new Case(
          label, cell, embedding, hidden, vocabulary, batch, steps, bidirectional, kernel, s);
    }

    int directions() {
      return bidirectional ? 2 : 1;
    }

    /** Matrix-product FLOPs of one token's forward pass with the given number of output classes. */
    double forwardFlops(int outputClasses) {
      int gates = 4;
      if (cell == CellKind.GRU) {
        gates = 3;
      } else if (cell == CellKind.SIMPLE_RNN) {
        gates = 1;
      }
      double recurrent = 2.0 * (embedding + hidden) * gates * hidden * directions();
      return recurrent + 2.0 * directions() * hidden * outputClasses;
    }

    double trainFlops() {
      return 3 * forwardFlops(samples > 0 ? samples + 1 : vocabulary);
    }

    double inferFlops() {
      return forwardFlops(vocabulary);
    }
  }

  /** Figures of one case. */
  record Measured(
      Case workload,
      double trainTokensPerSecond,
      double inferTokensPerSecond,
      double buildSeconds,
      double loadSeconds,
      long peakKb) {}

  private final int warmup;
  private final int timedSteps;
  private final int threads;
  int interOpThreads = -1;
  private DeviceKind device = DeviceKind.DEVICE_AUTO;
  MatmulPrecision precision = MatmulPrecision.FLOAT32;
  private final Random random = new Random(1);

  LmBenchmark(int warmup, int timedSteps, int threads) {
    this.warmup = warmup;
    this.timedSteps = timedSteps;
    this.threads = threads;
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    boolean quick = false;
    int steps = -1;
    int warmup = -1;
    int threads = 0;
    Path out = null;
    DeviceKind device = DeviceKind.CPU;
    MatmulPrecision precision = MatmulPrecision.FLOAT32;
    boolean standardOnly = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--device" -> device = DeviceKind.valueOf(args[++i].toUpperCase(Locale.ROOT));
        case "--matmul-precision" ->
            precision = MatmulPrecision.valueOf(args[++i].toUpperCase(Locale.ROOT));
        case "--standard-only" -> standardOnly = true;
        default ->
            throw new IllegalArgumentException(
                "argument must be --quick, --steps, --warmup, --threads, --device, --out,"
                    + " --matmul-precision or --standard-only, got "
                    + args[i]);
      }
    }
    if (warmup < 0) {
      warmup = quick ? 2 : 5;
    }
    if (steps <= 0) {
      steps = quick ? 5 : 20;
    }
    LmBenchmark bench = new LmBenchmark(warmup, steps, threads);
    bench.precision = precision;
    int fmaThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    double fma = FmaBenchmark.gflops(fmaThreads, 3);
    double f32 = bench.matMulGflops(TFloat32.class);
    double bf16 = bench.matMulGflops(TBfloat16.class);
    System.out.printf(
        Locale.ROOT,
        "FMA %.1f GFLOP/s (%d threads); MatMul 1120x512x10000: float32 %.1f GFLOP/s, bfloat16"
            + " %.1f GFLOP/s%n",
        fma,
        fmaThreads,
        f32,
        bf16);
    List<Measured> results = new ArrayList<>();
    List<Case> selected = standardOnly ? List.of(Case.standard()) : cases(quick);
    for (Case c : selected) {
      if (precision == MatmulPrecision.BFLOAT16 && c.kernel() == RecurrentKernel.FUSED) {
        continue;
      }
      Measured m = bench.measure(c);
      results.add(m);
      System.out.println(row(m, f32, fma));
    }
    String table = table(results, new Reference(fma, fmaThreads, f32, bf16), bench);
    System.out.println(table);
    if (out != null) {
      Files.writeString(out, table);
    }
  }

  static List<Case> cases(boolean quick) {
    Case s = Case.standard();
    List<Case> cases = new ArrayList<>();
    cases.add(s);
    cases.add(s.named("fused").withKernel(RecurrentKernel.FUSED));
    cases.add(s.named("sampled 1024").withSamples(1024));
    cases.add(s.named("fused + sampled 1024").withKernel(RecurrentKernel.FUSED).withSamples(1024));
    cases.add(s.named("GRU").withCell(CellKind.GRU));
    cases.add(s.named("GRU fused").withCell(CellKind.GRU).withKernel(RecurrentKernel.FUSED));
    cases.add(s.named("bidirectional (tagger)").asBidirectional());
    cases.add(s.named("H 128").withHidden(128));
    if (quick) {
      return cases;
    }
    cases.add(s.named("H 1024").withHidden(1024));
    for (int b : new int[] {1, 8, 128}) {
      cases.add(s.named("B " + b).withBatch(b));
    }
    cases.add(s.named("T 100").withSteps(100));
    return cases;
  }

  /** Measures one case: graph build, training steps, inference steps, peak memory. */
  Measured measure(Case c) {
    resetPeakMemory();
    long started = System.nanoTime();
    try (ModelSession model =
        ModelSession.create(modelConfig(c), trainingConfig(c), c.vocabulary())) {
      Step train = build(model, c, true);
      Step infer = build(model, c, false);
      Session session = model.start();
      double buildSeconds = (System.nanoTime() - started) / 1e9;
      double trainRate = tokensPerSecond(session, model, train, c);
      double inferRate = tokensPerSecond(session, model, infer, c);
      long peakKb = peakMemoryKb();
      double loadSeconds = savedModelLoadSeconds(session, c);
      return new Measured(c, trainRate, inferRate, buildSeconds, loadSeconds, peakKb);
    }
  }

  /**
   * Exports the trained model of {@code c} as a SavedModel (a language model, or a tagger with one
   * tag per word for the bidirectional case) and returns the seconds that {@code
   * SavedModelBundle.load} takes to open it, the median of 3 loads.
   */
  double savedModelLoadSeconds(Session session, Case c) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("rnnkit-bench-export");
      Path checkpoint = dir.resolve("checkpoint");
      Checkpoints.save(session, checkpoint);
      List<String> words = new ArrayList<>(List.of(Vocabulary.PAD_TOKEN, Vocabulary.UNK_TOKEN));
      for (int i = 2; i < c.vocabulary(); i++) {
        words.add("w" + i);
      }
      ModelConfig config = modelConfig(c);
      Path saved =
          c.bidirectional()
              ? SavedModelExporter.exportTagger(
                  config, words, words, checkpoint, dir.resolve("saved"), 1)
              : SavedModelExporter.exportLanguageModel(
                  config, words, checkpoint, dir.resolve("saved"), 1);
      double[] seconds = new double[3];
      for (int i = 0; i < seconds.length; i++) {
        long start = System.nanoTime();
        try (SavedModelBundle bundle = SavedModelBundle.load(saved.toString(), "serve")) {
          seconds[i] = (System.nanoTime() - start) / 1e9;
        }
      }
      return median(seconds);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to export the benchmark model to " + dir, e);
    } finally {
      if (dir != null) {
        try {
          Checkpoints.deleteRecursively(dir);
        } catch (IOException e) {
          System.err.println("failed to delete " + dir + ": " + e.getMessage());
        }
      }
    }
  }

  ModelConfig modelConfig(Case c) {
    return ModelConfigs.withDefaults(
        ModelConfig.newBuilder()
            .setTask(c.bidirectional() ? TaskKind.TAGGER : TaskKind.LANGUAGE_MODEL)
            .setNumClasses(c.bidirectional() ? c.vocabulary() : 0)
            .setCell(c.cell())
            // GRUBlockCell computes only the step without reset_after.
            .setGruResetAfter(c.kernel() != RecurrentKernel.FUSED)
            .setEmbeddingSize(c.embedding())
            .setHiddenSize(c.hidden())
            .setBidirectional(c.bidirectional())
            .setKernel(c.kernel())
            .setMatmulPrecision(precision)
            .build());
  }

  TrainingConfig trainingConfig(Case c) {
    return TrainingConfigs.withDefaults(
        TrainingConfig.newBuilder()
            .setBatchSize(c.batch())
            .setBpttSteps(c.steps())
            .setClipNorm(5f)
            .setSampledSoftmax(c.samples())
            .setIntraOpThreads(threads)
            .setInterOpThreads(interOpThreads >= 0 ? interOpThreads : threads)
            .setDevice(device)
            .build());
  }

  /** Placeholders and fetches of one benchmark graph. */
  record Step(
      Placeholder<TInt32> ids,
      Placeholder<TInt32> targets,
      Placeholder<TInt32> lengths,
      Placeholder<TInt32> sampled,
      Placeholder<TFloat32> sampledLogQ,
      Placeholder<TFloat32> targetLogQ,
      Operand<TFloat32> loss,
      ModelSession.Update update) {}

  static Step build(ModelSession model, Case c, boolean training) {
    Ops tf = model.ops().withSubScope(training ? "bench_train" : "bench_infer");
    int t = c.steps();
    Placeholder<TInt32> ids =
        tf.withName("ids").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, t)));
    Placeholder<TInt32> targets =
        tf.withName("targets").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, t)));
    Placeholder<TInt32> lengths =
        tf.withName("lengths").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    Network network = model.network();
    Network.Encoded encoded =
        network.encode(tf, ids, lengths, t, null, training, model.dropoutSeed());
    Placeholder<TInt32> sampled = null;
    Placeholder<TFloat32> sampledLogQ = null;
    Placeholder<TFloat32> targetLogQ = null;
    Losses.MaskedLoss loss;
    if (training && c.samples() > 0) {
      sampled = tf.withName("sampled").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      sampledLogQ =
          tf.withName("sampled_log_q").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
      targetLogQ =
          tf.withName("target_log_q")
              .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, t)));
      loss =
          Losses.sampledSequenceCrossEntropy(
              tf,
              encoded.outputs(),
              network.head(),
              targets,
              lengths,
              t,
              sampled,
              sampledLogQ,
              targetLogQ);
    } else {
      Operand<TFloat32> logits = network.head().applyToSequence(tf, encoded.outputs(), t);
      loss = Losses.sequenceCrossEntropy(tf, logits, targets, lengths, t, c.vocabulary());
    }
    ModelSession.Update update = training ? model.buildUpdate(loss.loss()) : null;
    return new Step(ids, targets, lengths, sampled, sampledLogQ, targetLogQ, loss.loss(), update);
  }

  private double tokensPerSecond(Session session, ModelSession model, Step step, Case c) {
    LogUniformSampler sampler = sampler(c);
    double[] seconds = new double[timedSteps];
    for (int i = 0; i < warmup + timedSteps; i++) {
      double elapsed = stepSeconds(session, model, step, c, sampler);
      if (i >= warmup) {
        seconds[i - warmup] = elapsed;
      }
    }
    return (double) c.batch() * c.steps() / median(seconds);
  }

  static LogUniformSampler sampler(Case c) {
    return c.samples() > 0 ? new LogUniformSampler(c.vocabulary(), c.samples(), 3) : null;
  }

  /** Runs one step on random ids and returns the seconds of {@code Session.run} alone. */
  double stepSeconds(
      Session session, ModelSession model, Step step, Case c, LogUniformSampler sampler) {
    int[][] ids = randomIds(c);
    int[][] targets = randomIds(c);
    int[] lengths = new int[c.batch()];
    Arrays.fill(lengths, c.steps());
    List<Tensor> fed = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      runner.feed(step.ids(), keep(fed, Tensors.ints(ids)));
      runner.feed(step.targets(), keep(fed, Tensors.ints(targets)));
      runner.feed(step.lengths(), keep(fed, Tensors.ints(lengths)));
      runner.fetch(step.loss());
      if (step.update() != null) {
        runner.feed(model.learningRate(), keep(fed, TFloat32.scalarOf(1e-3f)));
        runner.addTarget(step.update().train());
        if (sampler != null) {
          LogUniformSampler.Sample sample = sampler.draw(targets);
          runner.feed(step.sampled(), keep(fed, Tensors.ints(sample.ids())));
          runner.feed(step.sampledLogQ(), keep(fed, TFloat32.vectorOf(sample.logQ())));
          runner.feed(step.targetLogQ(), keep(fed, Tensors.floats(sample.targetLogQ())));
        }
      }
      long start = System.nanoTime();
      try (Result result = runner.run()) {
        return (System.nanoTime() - start) / 1e9;
      }
    } finally {
      fed.forEach(Tensor::close);
    }
  }

  private int[][] randomIds(Case c) {
    int[][] ids = new int[c.batch()][c.steps()];
    for (int[] row : ids) {
      for (int t = 0; t < row.length; t++) {
        row[t] = random.nextInt(c.vocabulary());
      }
    }
    return ids;
  }

  private static <T extends Tensor> T keep(List<Tensor> tensors, T tensor) {
    tensors.add(tensor);
    return tensor;
  }

  /**
   * Returns the GFLOP/s of a {@code [1120, 512] x [512, 10000]} MatMul in {@code type}, the output
   * layer of the standard workload, as the machine figure the workloads are compared with.
   */
  <T extends TNumber> double matMulGflops(Class<T> type) {
    int m = 1120;
    int k = 512;
    int n = 10_000;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      float[] a = new float[m * k];
      float[] b = new float[k * n];
      for (int i = 0; i < a.length; i++) {
        a[i] = random.nextFloat();
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = random.nextFloat();
      }
      Operand<T> left =
          tf.variable(tf.dtypes.cast(tf.constant(Shape.of(m, k), DataBuffers.of(a)), type));
      Operand<T> right =
          tf.variable(tf.dtypes.cast(tf.constant(Shape.of(k, n), DataBuffers.of(b)), type));
      // Fetch one element: the whole product is computed, and nothing else is timed.
      Operand<T> corner =
          tf.slice(
              tf.linalg.matMul(left, right),
              tf.constant(new int[] {0, 0}),
              tf.constant(new int[] {1, 1}));
      try (Session session = new Session(g, sessionOptions())) {
        session.initialize();
        double[] seconds = new double[Math.max(timedSteps, 5)];
        for (int i = 0; i < 2 + seconds.length; i++) {
          long start = System.nanoTime();
          try (Result r = session.runner().fetch(corner).run()) {
            if (i >= 2) {
              seconds[i - 2] = (System.nanoTime() - start) / 1e9;
            }
          }
        }
        return 2.0 * m * k * n / median(seconds) / 1e9;
      }
    }
  }

  private org.tensorflow.proto.ConfigProto sessionOptions() {
    return SessionConfigs.of(
        TrainingConfig.newBuilder()
            .setIntraOpThreads(threads)
            .setInterOpThreads(threads)
            .setDevice(device)
            .build());
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  private static void resetPeakMemory() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not allowed: VmHWM is then the peak of the whole run.
    }
  }

  /** Returns {@code VmHWM} of this process in kB, or -1 where /proc is missing. */
  static long peakMemoryKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }

  static String header() {
    return "| case | cell | H | B | T | kernel | softmax | train tok/s | train GFLOP/s | % of FMA"
        + " | % of MatMul | infer tok/s | infer GFLOP/s | build s | SavedModel load s | peak RSS MB"
        + " |\n"
        + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
        + " --- | --- |";
  }

  static String row(Measured m, double matMulGflops, double fmaGflops) {
    Case c = m.workload();
    double trainGflops = m.trainTokensPerSecond() * c.trainFlops() / 1e9;
    double inferGflops = m.inferTokensPerSecond() * c.inferFlops() / 1e9;
    return String.format(
        Locale.ROOT,
        "| %s | %s%s | %d | %d | %d | %s | %s | %.0f | %.1f | %.0f %% | %.0f %% | %.0f | %.1f | %.1f"
            + " | %.2f | %d |",
        c.label(),
        c.cell(),
        c.bidirectional() ? " x2" : "",
        c.hidden(),
        c.batch(),
        c.steps(),
        c.kernel().name().toLowerCase(Locale.ROOT),
        c.samples() > 0 ? "sampled " + c.samples() : "full",
        m.trainTokensPerSecond(),
        trainGflops,
        100 * trainGflops / fmaGflops,
        100 * trainGflops / matMulGflops,
        m.inferTokensPerSecond(),
        inferGflops,
        m.buildSeconds(),
        m.loadSeconds(),
        m.peakKb() / 1024);
  }

  /**
   * Reference figures of the run: FMA micro-benchmark and MatMul of the output-layer shape.
   *
   * @param fma float32 FMA GFLOP/s on {@code fmaThreads} threads
   * @param f32 float32 MatMul GFLOP/s
   * @param bf16 bfloat16 MatMul GFLOP/s
   */
  record Reference(double fma, int fmaThreads, double f32, double bf16) {}

  static String table(List<Measured> results, Reference reference, LmBenchmark bench) {
    StringBuilder text = new StringBuilder();
    text.append(
        String.format(
            Locale.ROOT,
            "In the same run: FMA micro-benchmark (float32, %d threads) %.1f GFLOP/s; MatMul"
                + " 1120x512x10000 float32 %.1f GFLOP/s, bfloat16 %.1f GFLOP/s. %d warm-up and %d"
                + " timed steps per case (median), E 256, V 10,000, matmul_precision %s.%n%n",
            reference.fmaThreads(),
            reference.fma(),
            reference.f32(),
            reference.bf16(),
            bench.warmup,
            bench.timedSteps,
            bench.precision));
    text.append(header()).append('\n');
    for (Measured m : results) {
      text.append(row(m, reference.f32(), reference.fma())).append('\n');
    }
    return text.toString();
  }
}
