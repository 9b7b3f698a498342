package io.rnnkit.bench;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import io.rnnkit.export.ExportedModels;
import io.rnnkit.export.Predictor;
import io.rnnkit.export.SavedModelExporter;
import io.rnnkit.model.ModelConfigs;
import io.rnnkit.model.Network;
import io.rnnkit.nn.ParameterStore;
import io.rnnkit.train.Checkpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

/**
 * Measures an exported classifier through {@link Predictor}: latency of one sentence per call (p50,
 * p99) and throughput at 32 sentences per call. Sentences are drawn from the model's vocabulary, 5
 * to 30 tokens long.
 *
 * <p>Usage: {@code PredictBenchmark MODEL_DIR} for an exported classifier, or {@code
 * PredictBenchmark --synthetic VOCABULARY_SIZE} to export a classifier of the demo's sizes
 * (embedding 128, LSTM 256, max_length 64) with random weights first; its speed does not depend on
 * the weights.
 */
public final class PredictBenchmark {
  private PredictBenchmark() {}

  private static final int WARMUP_CALLS = 50;
  private static final int LATENCY_CALLS = 500;
  private static final int BATCH_SIZE = 32;
  private static final int BATCH_CALLS = 40;

  public static void main(String[] args) throws IOException {
    Path model;
    if (args.length == 2 && args[0].equals("--synthetic")) {
      model = exportSynthetic(Integer.parseInt(args[1]));
    } else if (args.length == 1) {
      model = Path.of(args[0]);
    } else {
      throw new IllegalArgumentException(
          "usage: PredictBenchmark MODEL_DIR | --synthetic VOCABULARY_SIZE, got "
              + Arrays.toString(args));
    }
    List<String> vocabulary = ExportedModels.vocabulary(model);
    Random random = new Random(1);
    try (Predictor predictor = Predictor.load(model)) {
      for (int i = 0; i < WARMUP_CALLS; i++) {
        predictor.predict(List.of(sentence(vocabulary, random)));
      }
      long[] nanos = new long[LATENCY_CALLS];
      for (int i = 0; i < LATENCY_CALLS; i++) {
        List<List<String>> row = List.of(sentence(vocabulary, random));
        long start = System.nanoTime();
        predictor.predict(row);
        nanos[i] = System.nanoTime() - start;
      }
      Arrays.sort(nanos);
      long sentences = 0;
      long start = System.nanoTime();
      for (int call = 0; call < BATCH_CALLS; call++) {
        List<List<String>> batch = new ArrayList<>();
        for (int i = 0; i < BATCH_SIZE; i++) {
          batch.add(sentence(vocabulary, random));
        }
        predictor.predict(batch);
        sentences += BATCH_SIZE;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      ModelConfig config = ExportedModels.config(model);
      System.out.printf(
          "model %s: vocabulary %d, embedding %d, hidden %d, max_length %d%n",
          model,
          vocabulary.size(),
          config.getEmbeddingSize(),
          config.getHiddenSize(),
          config.getMaxLength());
      System.out.printf(
          "single sentence: p50 %.2f ms, p99 %.2f ms over %d calls%n",
          nanos[LATENCY_CALLS / 2] / 1e6, nanos[LATENCY_CALLS * 99 / 100] / 1e6, LATENCY_CALLS);
      System.out.printf(
          "batch %d: %.0f sentences/s over %d calls%n",
          BATCH_SIZE, sentences / seconds, BATCH_CALLS);
    }
  }

  private static List<String> sentence(List<String> vocabulary, Random random) {
    int length = 5 + random.nextInt(26);
    List<String> tokens = new ArrayList<>(length);
    for (int t = 0; t < length; t++) {
      tokens.add(vocabulary.get(2 + random.nextInt(vocabulary.size() - 2)));
    }
    return tokens;
  }

  private static Path exportSynthetic(int vocabularySize) throws IOException {
    ModelConfig config =
        ModelConfigs.withDefaults(
            ModelConfig.newBuilder().setTask(TaskKind.CLASSIFIER).setNumClasses(15).build());
    List<String> vocabulary = new ArrayList<>(List.of("<pad>", "<unk>"));
    for (int i = 2; i < vocabularySize; i++) {
      vocabulary.add("w" + i);
    }
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < config.getNumClasses(); i++) {
      labels.add("label" + i);
    }
    Path scratch = Files.createTempDirectory("rnnkit-bench");
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Network.create(ParameterStore.forTraining(tf, 1), config, vocabulary.size());
      try (Session session = new Session(graph)) {
        session.initialize();
        Checkpoints.save(session, scratch.resolve("checkpoint"));
      }
    }
    return SavedModelExporter.exportClassifier(
        config, vocabulary, labels, scratch.resolve("checkpoint"), scratch.resolve("export"), 1);
  }
}
