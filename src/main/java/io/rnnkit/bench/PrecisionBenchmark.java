package io.rnnkit.bench;

import io.rnnkit.config.MatmulPrecision;
import io.rnnkit.train.LogUniformSampler;
import io.rnnkit.train.ModelSession;
import java.util.Locale;
import org.tensorflow.Session;

/**
 * Compares float32 and bfloat16 matrix products on the standard workload of {@link LmBenchmark}
 * (LSTM, V 10,000, E 256, H 512, B 32, T 35, full softmax) with paired steps.
 *
 * <p>Both models live in one process and their timed steps alternate, with the order swapped on
 * every pair, so a change in the machine's load reaches both precisions alike. It prints the median
 * tokens/s of each precision and the median over pairs of the bfloat16 to float32 speed ratio.
 *
 * <p>Arguments: {@code --warmup N} (default 3), {@code --steps N} (timed pairs, default 20), {@code
 * --threads N} (intra- and inter-op threads, 0 lets TensorFlow choose).
 */
public final class PrecisionBenchmark {
  private PrecisionBenchmark() {}

  public static void main(String[] args) {
    int warmup = 3;
    int steps = 20;
    int threads = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        default ->
            throw new IllegalArgumentException(
                "argument must be --warmup, --steps or --threads, got " + args[i]);
      }
    }
    LmBenchmark bench = new LmBenchmark(warmup, steps, threads);
    LmBenchmark.Case workload = LmBenchmark.Case.standard();
    try (Side full = Side.open(bench, workload, MatmulPrecision.FLOAT32);
        Side half = Side.open(bench, workload, MatmulPrecision.BFLOAT16)) {
      for (boolean training : new boolean[] {true, false}) {
        Paired paired = measure(bench, workload, full, half, training, warmup, steps);
        System.out.println(paired.line(training ? "training" : "inference"));
      }
    }
  }

  /** Median tokens/s of each precision and the median of the per-pair speed ratios. */
  private record Paired(double float32, double bfloat16, double ratio) {
    String line(String pass) {
      return String.format(
          Locale.ROOT,
          "%s: float32 %.0f tokens/s, bfloat16 %.0f tokens/s, bfloat16 / float32 per pair"
              + " (median) %.2f",
          pass,
          float32,
          bfloat16,
          ratio);
    }
  }

  private static Paired measure(
      LmBenchmark bench,
      LmBenchmark.Case workload,
      Side full,
      Side half,
      boolean training,
      int warmup,
      int steps) {
    for (int i = 0; i < warmup; i++) {
      full.step(bench, workload, training);
      half.step(bench, workload, training);
    }
    double[] fullSeconds = new double[steps];
    double[] halfSeconds = new double[steps];
    double[] ratios = new double[steps];
    for (int i = 0; i < steps; i++) {
      if (i % 2 == 0) {
        fullSeconds[i] = full.step(bench, workload, training);
        halfSeconds[i] = half.step(bench, workload, training);
      } else {
        halfSeconds[i] = half.step(bench, workload, training);
        fullSeconds[i] = full.step(bench, workload, training);
      }
      ratios[i] = fullSeconds[i] / halfSeconds[i];
    }
    double tokens = (double) workload.batch() * workload.steps();
    return new Paired(
        tokens / LmBenchmark.median(fullSeconds),
        tokens / LmBenchmark.median(halfSeconds),
        LmBenchmark.median(ratios));
  }

  /** The training and inference graphs of one precision in their own session. */
  private record Side(
      ModelSession model,
      Session session,
      LmBenchmark.Step train,
      LmBenchmark.Step infer,
      LogUniformSampler sampler)
      implements AutoCloseable {

    static Side open(LmBenchmark bench, LmBenchmark.Case workload, MatmulPrecision precision) {
      bench.precision = precision;
      ModelSession model =
          ModelSession.create(
              bench.modelConfig(workload), bench.trainingConfig(workload), workload.vocabulary());
      LmBenchmark.Step train = LmBenchmark.build(model, workload, true);
      LmBenchmark.Step infer = LmBenchmark.build(model, workload, false);
      return new Side(model, model.start(), train, infer, LmBenchmark.sampler(workload));
    }

    double step(LmBenchmark bench, LmBenchmark.Case workload, boolean training) {
      return bench.stepSeconds(session, model, training ? train : infer, workload, sampler);
    }

    @Override
    public void close() {
      model.close();
    }
  }
}
