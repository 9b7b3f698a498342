package io.rnnkit.bench;

import io.rnnkit.config.CellKind;
import io.rnnkit.config.MatmulPrecision;
import io.rnnkit.config.RecurrentKernel;
import io.rnnkit.train.ModelSession;
import io.rnnkit.train.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * Shows where the time of one training step of a benchmark case goes: runs traced steps ({@code
 * RunOptions.TraceLevel.FULL_TRACE}) and sums the kernel time of each op type and of each name
 * group (the graph scope with step numbers folded, so the 35 steps of a recurrence add up).
 *
 * <p>Kernel times of ops that run in parallel add up, so the totals can exceed the wall time of the
 * step; the share column is of the summed kernel time. Tracing itself slows the step down, so
 * compare shares, not absolute figures, with {@link LmBenchmark}.
 *
 * <p>Arguments: {@code --cell lstm|gru}, {@code --hidden H}, {@code --batch B}, {@code --kernel
 * unrolled|fused}, {@code --matmul-precision float32|bfloat16}, {@code --steps N} (traced steps,
 * default 3), {@code --infer} (profile the inference graph), {@code --top N} (rows per table).
 */
public final class StepProfile {
  private StepProfile() {}

  public static void main(String[] args) {
    LmBenchmark.Case c = LmBenchmark.Case.standard();
    MatmulPrecision precision = MatmulPrecision.FLOAT32;
    int steps = 3;
    int top = 25;
    boolean training = true;
    int interOp = -1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--cell" -> c = c.withCell(CellKind.valueOf(args[++i].toUpperCase(Locale.ROOT)));
        case "--hidden" -> c = c.withHidden(Integer.parseInt(args[++i]));
        case "--batch" -> c = c.withBatch(Integer.parseInt(args[++i]));
        case "--kernel" ->
            c = c.withKernel(RecurrentKernel.valueOf(args[++i].toUpperCase(Locale.ROOT)));
        case "--matmul-precision" ->
            precision = MatmulPrecision.valueOf(args[++i].toUpperCase(Locale.ROOT));
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--top" -> top = Integer.parseInt(args[++i]);
        case "--infer" -> training = false;
        case "--inter-op-threads" -> interOp = Integer.parseInt(args[++i]);
        default ->
            throw new IllegalArgumentException(
                "argument must be --cell, --hidden, --batch, --kernel, --matmul-precision,"
                    + " --steps, --top or --infer, got "
                    + args[i]);
      }
    }
    LmBenchmark bench = new LmBenchmark(0, 1, 0);
    bench.precision = precision;
    bench.interOpThreads = interOp;
    try (ModelSession model =
        ModelSession.create(bench.modelConfig(c), bench.trainingConfig(c), c.vocabulary())) {
      LmBenchmark.Step step = LmBenchmark.build(model, c, training);
      Session session = model.start();
      for (int i = 0; i < 3; i++) {
        bench.stepSeconds(session, model, step, c, null);
      }
      Totals totals = new Totals();
      double wall = 0;
      for (int i = 0; i < steps; i++) {
        long start = System.nanoTime();
        RunMetadata metadata = tracedStep(session, model, step, c, training);
        wall += (System.nanoTime() - start) / 1e9;
        totals.add(model.graph(), metadata);
      }
      System.out.printf(
          Locale.ROOT,
          "%s, %s, %s: %d traced steps, %.3f s wall per step, %.3f s kernel time per step%n",
          c.label(),
          training ? "training" : "inference",
          precision,
          steps,
          wall / steps,
          totals.total() / 1e6 / steps);
      print("op type", totals.byType, totals.total(), steps, top);
      print("name group", totals.byGroup, totals.total(), steps, top);
      print("op", totals.byNode, totals.total(), steps, top);
    }
  }

  private static RunMetadata tracedStep(
      Session session,
      ModelSession model,
      LmBenchmark.Step step,
      LmBenchmark.Case c,
      boolean train) {
    Random random = new Random(7);
    int[][] ids = new int[c.batch()][c.steps()];
    int[][] targets = new int[c.batch()][c.steps()];
    for (int b = 0; b < c.batch(); b++) {
      for (int t = 0; t < c.steps(); t++) {
        ids[b][t] = random.nextInt(c.vocabulary());
        targets[b][t] = random.nextInt(c.vocabulary());
      }
    }
    int[] lengths = new int[c.batch()];
    Arrays.fill(lengths, c.steps());
    List<Tensor> fed = new ArrayList<>();
    try {
      fed.add(Tensors.ints(ids));
      fed.add(Tensors.ints(targets));
      fed.add(Tensors.ints(lengths));
      Session.Runner runner =
          session
              .runner()
              .feed(step.ids(), fed.get(0))
              .feed(step.targets(), fed.get(1))
              .feed(step.lengths(), fed.get(2))
              .fetch(step.loss())
              .setOptions(
                  RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
      if (train) {
        fed.add(TFloat32.scalarOf(1e-3f));
        runner.feed(model.learningRate(), fed.get(3)).addTarget(step.update().train());
      }
      try (Result result = runner.runAndFetchMetadata()) {
        return result
            .getMetadata()
            .orElseThrow(() -> new IllegalStateException("the traced step returned no metadata"));
      }
    } finally {
      fed.forEach(Tensor::close);
    }
  }

  /** Kernel microseconds summed per op type and per name group. */
  private static final class Totals {
    final Map<String, Long> byType = new HashMap<>();
    final Map<String, Long> byGroup = new HashMap<>();
    final Map<String, Long> byNode = new HashMap<>();

    void add(Graph graph, RunMetadata metadata) {
      for (DeviceStepStats device : metadata.getStepStats().getDevStatsList()) {
        for (NodeExecStats node : device.getNodeStatsList()) {
          long micros = node.getOpEndRelMicros() - node.getOpStartRelMicros();
          GraphOperation op = graph.operation(node.getNodeName());
          String type = op == null ? typeOf(node.getTimelineLabel()) : op.type();
          byType.merge(type, micros, Long::sum);
          byGroup.merge(group(node.getNodeName()) + " " + type, micros, Long::sum);
          byNode.merge(node.getTimelineLabel(), micros, Long::sum);
        }
      }
    }

    long total() {
      return byType.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * Returns the op type of a timeline label such as {@code name = Type(inputs)}, for nodes that the
   * graph optimizer added and the graph does not know.
   */
  static String typeOf(String label) {
    int equals = label.indexOf(" = ");
    int paren = equals < 0 ? -1 : label.indexOf('(', equals);
    return paren < 0 ? "?" : label.substring(equals + 3, paren);
  }

  /** Folds step numbers and name suffixes: {@code a/step_12/MatMul_3} becomes {@code a/step_N}. */
  static String group(String nodeName) {
    String folded = nodeName.replaceAll("step_\\d+", "step_N").replaceAll("_\\d+(?=/|$)", "");
    int slash = folded.lastIndexOf('/');
    return slash < 0 ? folded : folded.substring(0, slash);
  }

  private static void print(String title, Map<String, Long> totals, long all, int steps, int top) {
    System.out.printf(Locale.ROOT, "%n| %s | ms per step | share |%n| --- | --- | --- |%n", title);
    totals.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
        .limit(top)
        .forEach(
            e ->
                System.out.printf(
                    Locale.ROOT,
                    "| %s | %.1f | %.1f %% |%n",
                    e.getKey(),
                    e.getValue() / 1e3 / steps,
                    100.0 * e.getValue() / all));
  }
}
