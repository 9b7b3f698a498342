package io.rnnkit.importer;

import static io.rnnkit.importer.Fixtures.Weight;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.CellKind;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import io.rnnkit.train.ModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Imports TF1 name-based checkpoints and compares the rebuilt model with TF1's equations. */
class Tf1ImportTest {
  private static final int V = 7;
  private static final int E = 3;
  private static final int H = 4;
  private static final int[][] IDS = {{1, 5, 2}, {6, 0, 3}};
  private static final double TOLERANCE = 1e-5;

  @TempDir Path dir;
  private final Random random = new Random(7);

  private float[] randomArray(int length) {
    return Reference.randomArray(random, length, 0.6);
  }

  /** Weights of a two-layer TF1 char-rnn: TF 1.0 names for layer 0, TF 1.2 names for layer 1. */
  private Map<String, Weight> stackedLstm() {
    Map<String, Weight> weights = new LinkedHashMap<>();
    weights.put("rnnlm/embedding", Weight.of(randomArray(V * E), V, E));
    weights.put(
        "rnnlm/multi_rnn_cell/cell_0/basic_lstm_cell/weights",
        Weight.of(randomArray((E + H) * 4 * H), E + H, 4 * H));
    weights.put(
        "rnnlm/multi_rnn_cell/cell_0/basic_lstm_cell/biases", Weight.of(randomArray(4 * H), 4 * H));
    weights.put(
        "rnnlm/multi_rnn_cell/cell_1/basic_lstm_cell/kernel",
        Weight.of(randomArray(2 * H * 4 * H), 2 * H, 4 * H));
    weights.put(
        "rnnlm/multi_rnn_cell/cell_1/basic_lstm_cell/bias", Weight.of(randomArray(4 * H), 4 * H));
    weights.put("rnnlm/softmax_w", Weight.of(randomArray(H * V), H, V));
    weights.put("rnnlm/softmax_b", Weight.of(randomArray(V), V));
    weights.put("rnnlm/softmax_w/Adam", Weight.of(new float[H * V], H, V));
    return weights;
  }

  /** Returns the TF1 char-rnn's logits {@code [B, T, V]}, computed with TF1's LSTM equations. */
  private static double[] stackedLstmReference(Map<String, Weight> w, float forgetBias) {
    String cell0 = "rnnlm/multi_rnn_cell/cell_0/basic_lstm_cell/";
    String cell1 = "rnnlm/multi_rnn_cell/cell_1/basic_lstm_cell/";
    double[] logits = new double[IDS.length * IDS[0].length * V];
    int offset = 0;
    for (int[] row : IDS) {
      double[] h0 = new double[H];
      double[] c0 = new double[H];
      double[] h1 = new double[H];
      double[] c1 = new double[H];
      for (int id : row) {
        double[] x = Reference.row(w.get("rnnlm/embedding").values(), id, E);
        Reference.tf1Lstm(
            w.get(cell0 + "weights").values(),
            w.get(cell0 + "biases").values(),
            forgetBias,
            x,
            h0,
            c0);
        Reference.tf1Lstm(
            w.get(cell1 + "kernel").values(),
            w.get(cell1 + "bias").values(),
            forgetBias,
            h0,
            h1,
            c1);
        double[] step =
            Reference.dense(
                h1, w.get("rnnlm/softmax_w").values(), w.get("rnnlm/softmax_b").values());
        System.arraycopy(step, 0, logits, offset, V);
        offset += V;
      }
    }
    return logits;
  }

  static void assertClose(double[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": number of values");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], TOLERANCE, what + ": value " + i);
    }
  }

  @Test
  void stackedBasicLstmMatchesTf1Equations() throws IOException {
    Map<String, Weight> weights = stackedLstm();
    Path prefix = dir.resolve("save/model.ckpt-100");
    Fixtures.writeNameBased(prefix, weights);
    Path out = dir.resolve("imported");

    Importer.Result result = Importer.run(Importer.Options.of(prefix, out));

    assertEquals(SourceFormat.TF1_CHECKPOINT, result.format(), "source format");
    ModelConfig config = result.config().orElseThrow();
    assertEquals(TaskKind.LANGUAGE_MODEL, config.getTask(), "task");
    assertEquals(CellKind.LSTM, config.getCell(), "cell");
    assertEquals(2, config.getNumLayers(), "layers");
    assertEquals(H, config.getHiddenSize(), "hidden size");
    assertEquals(E, config.getEmbeddingSize(), "embedding size");
    assertEquals(List.of("embedding", "lstm", "lstm_1", "lm_head"), result.scopes(), "scopes");
    assertEquals(config, ModelFiles.readConfig(out), "written config");
    List<String> vocabulary = ModelFiles.readVocabulary(out).tokens();
    assertEquals(V, vocabulary.size(), "one placeholder token per embedding row");
    assertEquals(List.of("<pad>", "<unk>", "id_2"), vocabulary.subList(0, 3), "placeholder tokens");
    assertStatus(result, "rnnlm/softmax_w/Adam", KeyStatus.OPTIMIZER);
    assertStatus(result, "global_step", KeyStatus.OPTIMIZER);
    assertStatus(result, "rnnlm/multi_rnn_cell/cell_0/basic_lstm_cell/weights", KeyStatus.IMPORTED);
    assertTrue(Files.isRegularFile(out.resolve(Importer.REPORT_FILE)), "report file written");

    assertClose(stackedLstmReference(weights, 1.0f), Fixtures.runNetwork(out, IDS), "logits");
  }

  @Test
  void forgetBiasFlagIsFolded() throws IOException {
    Map<String, Weight> weights = stackedLstm();
    Path prefix = dir.resolve("model.ckpt-1");
    Fixtures.writeNameBased(prefix, weights);
    Path out = dir.resolve("imported");

    Importer.run(Importer.Options.of(prefix, out).withForgetBias(0.25f));

    float[] logits = Fixtures.runNetwork(out, IDS);
    assertClose(stackedLstmReference(weights, 0.25f), logits, "logits with forget_bias 0.25");
    double[] withDefault = stackedLstmReference(weights, 1.0f);
    double largest = 0;
    for (int i = 0; i < logits.length; i++) {
      largest = Math.max(largest, Math.abs(withDefault[i] - logits[i]));
    }
    assertTrue(largest > 1e-3, "forget_bias 1.0 would give other logits, largest gap " + largest);
  }

  @Test
  void gruCellMatchesTf1Equations() throws IOException {
    Map<String, Weight> w = new LinkedHashMap<>();
    w.put("embedding", Weight.of(randomArray(V * E), V, E));
    w.put("rnn/gru_cell/gates/kernel", Weight.of(randomArray((E + H) * 2 * H), E + H, 2 * H));
    w.put("rnn/gru_cell/gates/bias", Weight.of(randomArray(2 * H), 2 * H));
    w.put("rnn/gru_cell/candidate/kernel", Weight.of(randomArray((E + H) * H), E + H, H));
    w.put("rnn/gru_cell/candidate/bias", Weight.of(randomArray(H), H));
    w.put("softmax_w", Weight.of(randomArray(H * V), H, V));
    w.put("softmax_b", Weight.of(randomArray(V), V));
    Path prefix = dir.resolve("model.ckpt-5");
    Fixtures.writeNameBased(prefix, w);
    Path out = dir.resolve("gru");

    Importer.Result result = Importer.run(Importer.Options.of(prefix, out));

    ModelConfig config = result.config().orElseThrow();
    assertEquals(CellKind.GRU, config.getCell(), "cell");
    assertFalse(config.getGruResetAfter(), "TF1 GRUCell applies the reset gate before the product");
    double[] expected = new double[IDS.length * IDS[0].length * V];
    int offset = 0;
    for (int[] row : IDS) {
      double[] h = new double[H];
      for (int id : row) {
        Reference.tf1Gru(
            w.get("rnn/gru_cell/gates/kernel").values(),
            w.get("rnn/gru_cell/gates/bias").values(),
            w.get("rnn/gru_cell/candidate/kernel").values(),
            w.get("rnn/gru_cell/candidate/bias").values(),
            Reference.row(w.get("embedding").values(), id, E),
            h);
        double[] step =
            Reference.dense(h, w.get("softmax_w").values(), w.get("softmax_b").values());
        System.arraycopy(step, 0, expected, offset, V);
        offset += V;
      }
    }
    assertClose(expected, Fixtures.runNetwork(out, IDS), "logits");
  }

  @Test
  void bidirectionalRnnBecomesTagger() throws IOException {
    int classes = 3;
    Map<String, Weight> w = new LinkedHashMap<>();
    w.put("embedding", Weight.of(randomArray(V * E), V, E));
    for (String direction : List.of("fw", "bw")) {
      String scope = "bidirectional_rnn/" + direction + "/lstm_cell/";
      w.put(scope + "kernel", Weight.of(randomArray((E + H) * 4 * H), E + H, 4 * H));
      w.put(scope + "bias", Weight.of(randomArray(4 * H), 4 * H));
    }
    w.put("dense/kernel", Weight.of(randomArray(2 * H * classes), 2 * H, classes));
    w.put("dense/bias", Weight.of(randomArray(classes), classes));
    Path prefix = dir.resolve("model.ckpt-9");
    Fixtures.writeNameBased(prefix, w);
    Path out = dir.resolve("tagger");

    Importer.Result result = Importer.run(Importer.Options.of(prefix, out));

    ModelConfig config = result.config().orElseThrow();
    assertEquals(TaskKind.TAGGER, config.getTask(), "task");
    assertTrue(config.getBidirectional(), "bidirectional");
    assertEquals(classes, config.getNumClasses(), "classes");
    int steps = IDS[0].length;
    double[] expected = new double[IDS.length * steps * classes];
    for (int b = 0; b < IDS.length; b++) {
      double[][] forward = new double[steps][];
      double[][] backward = new double[steps][];
      for (String direction : List.of("fw", "bw")) {
        String scope = "bidirectional_rnn/" + direction + "/lstm_cell/";
        double[] h = new double[H];
        double[] c = new double[H];
        for (int i = 0; i < steps; i++) {
          int t = direction.equals("fw") ? i : steps - 1 - i;
          double[] x = Reference.row(w.get("embedding").values(), IDS[b][t], E);
          Reference.tf1Lstm(
              w.get(scope + "kernel").values(), w.get(scope + "bias").values(), 1f, x, h, c);
          (direction.equals("fw") ? forward : backward)[t] = h.clone();
        }
      }
      for (int t = 0; t < steps; t++) {
        double[] step =
            Reference.dense(
                Reference.concat(forward[t], backward[t]),
                w.get("dense/kernel").values(),
                w.get("dense/bias").values());
        System.arraycopy(step, 0, expected, (b * steps + t) * classes, classes);
      }
    }
    assertClose(expected, Fixtures.runNetwork(out, IDS), "tag logits");
  }

  @Test
  void keyMapPlacesUnusualNames() throws IOException {
    Map<String, Weight> w = stackedLstm();
    Map<String, Weight> renamed = new LinkedHashMap<>();
    w.forEach(
        (key, value) ->
            renamed.put(
                key.replace("rnnlm/embedding", "model/char_table")
                    .replace("rnnlm/softmax_w", "model/out/W")
                    .replace("rnnlm/softmax_b", "model/out/b"),
                value));
    Path prefix = dir.resolve("model.ckpt-3");
    Fixtures.writeNameBased(prefix, renamed);
    Path mapFile = dir.resolve("map.tsv");
    Files.writeString(
        mapFile,
        "# source<TAB>target\n"
            + "model/char_table\tembedding/embeddings\n"
            + "model/out/W\tdense/kernel\n"
            + "model/out/b\tdense/bias\n");
    Path out = dir.resolve("mapped");

    Importer.Result result =
        Importer.run(Importer.Options.of(prefix, out).withKeyMap(KeyMap.read(mapFile)));

    assertEquals(List.of("embedding", "lstm", "lstm_1", "lm_head"), result.scopes(), "scopes");
    assertClose(stackedLstmReference(w, 1.0f), Fixtures.runNetwork(out, IDS), "logits");
  }

  @Test
  void peepholeWeightsAreRejected() throws IOException {
    Map<String, Weight> w = stackedLstm();
    w.put("rnnlm/multi_rnn_cell/cell_0/basic_lstm_cell/w_f_diag", Weight.of(randomArray(H), H));
    Path prefix = dir.resolve("model.ckpt-4");
    Fixtures.writeNameBased(prefix, w);
    Path out = dir.resolve("never");

    IOException error =
        assertThrows(IOException.class, () -> Importer.run(Importer.Options.of(prefix, out)));

    assertTrue(
        error.getMessage().contains("w_f_diag"), "message names the weight: " + error.getMessage());
    assertFalse(Files.exists(out), "no model folder written");
  }

  @Test
  void unrecognizedWeightFailsWithReport() throws IOException {
    Map<String, Weight> w = stackedLstm();
    w.put("rnnlm/attention/query", Weight.of(randomArray(H * H), H, H));
    Path prefix = dir.resolve("model.ckpt-6");
    Fixtures.writeNameBased(prefix, w);
    Path out = dir.resolve("never");

    ImportException error =
        assertThrows(ImportException.class, () -> Importer.run(Importer.Options.of(prefix, out)));

    ReportRow row =
        error.rows().stream()
            .filter(r -> r.sourceKey().equals("rnnlm/attention/query"))
            .findFirst()
            .orElseThrow();
    assertEquals(KeyStatus.UNRECOGNIZED, row.status(), "status of the unknown weight");
    assertFalse(Files.exists(out), "no model folder written");
    assertTrue(
        Files.list(dir).noneMatch(p -> p.getFileName().toString().startsWith("never")),
        "no temporary folder left behind");
  }

  static void assertStatus(Importer.Result result, String key, KeyStatus expected) {
    ReportRow row =
        result.rows().stream().filter(r -> r.sourceKey().equals(key)).findFirst().orElseThrow();
    assertEquals(expected, row.status(), "status of " + key);
  }
}
