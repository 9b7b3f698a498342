package io.rnnkit.importer;

import static io.rnnkit.importer.Fixtures.Weight;
import static io.rnnkit.importer.Tf1ImportTest.assertClose;
import static io.rnnkit.importer.Tf1ImportTest.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.CellKind;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.Pooling;
import io.rnnkit.config.TaskKind;
import io.rnnkit.nn.Bidirectional;
import io.rnnkit.nn.Dense;
import io.rnnkit.nn.Embedding;
import io.rnnkit.nn.LstmCell;
import io.rnnkit.nn.MergeMode;
import io.rnnkit.nn.Rnn;
import io.rnnkit.nn.SequencePooling;
import io.rnnkit.nn.SimpleRnnCell;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Imports TF2 object-based checkpoints whose keys are object paths, mapped to Keras names through
 * the object graph, and compares the rebuilt model with Keras's equations.
 */
class KerasImportTest {
  private static final int V = 6;
  private static final int E = 3;
  private static final int H = 4;
  private static final int CLASSES = 3;
  private static final int[][] IDS = {{1, 4, 2, 5}, {3, 0, 5, 1}};
  private static final String VALUE = "/.ATTRIBUTES/VARIABLE_VALUE";

  @TempDir Path dir;
  private final Random random = new Random(11);
  private final Map<String, String> names = new LinkedHashMap<>();
  private final Map<String, Weight> weights = new LinkedHashMap<>();

  /** Adds one variable under object-path {@code path} with Keras name {@code fullName}. */
  private float[] add(String path, String fullName, long... shape) {
    int count = 1;
    for (long dim : shape) {
      count *= (int) dim;
    }
    float[] values = Reference.randomArray(random, count, 0.6);
    names.put(path + VALUE, fullName);
    weights.put(path + VALUE, Weight.of(values, shape));
    return values;
  }

  private Path write() {
    Path prefix = dir.resolve("tf2/ckpt-1");
    Fixtures.writeObjectBased(prefix, names, weights);
    return prefix;
  }

  @Test
  void lstmClassifierFromLayerWithWeightsKeys() throws IOException {
    float[] table = add("layer_with_weights-0/embeddings", "embedding/embeddings", V, E);
    float[] kernel = add("layer_with_weights-1/cell/kernel", "lstm_5/lstm_cell_5/kernel", E, 4 * H);
    float[] recurrent =
        add(
            "layer_with_weights-1/cell/recurrent_kernel",
            "lstm_5/lstm_cell_5/recurrent_kernel",
            H,
            4 * H);
    float[] bias = add("layer_with_weights-1/cell/bias", "lstm_5/lstm_cell_5/bias", 4 * H);
    float[] denseKernel = add("layer_with_weights-2/kernel", "dense_3/kernel", H, CLASSES);
    float[] denseBias = add("layer_with_weights-2/bias", "dense_3/bias", CLASSES);
    Path out = dir.resolve("lstm");

    Importer.Result result = Importer.run(Importer.Options.of(write(), out));

    assertEquals(SourceFormat.TF2_CHECKPOINT, result.format(), "source format");
    ModelConfig config = result.config().orElseThrow();
    assertEquals(TaskKind.CLASSIFIER, config.getTask(), "task");
    assertEquals(Pooling.LAST, config.getPooling(), "Keras return_sequences=False is LAST pooling");
    assertEquals(CLASSES, config.getNumClasses(), "classes");
    assertStatus(
        result,
        "layer_with_weights-0/embeddings/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE",
        KeyStatus.OPTIMIZER);
    assertStatus(result, "optimizer/iter" + VALUE, KeyStatus.OPTIMIZER);
    double[] expected = new double[IDS.length * CLASSES];
    for (int b = 0; b < IDS.length; b++) {
      double[] h = new double[H];
      double[] c = new double[H];
      for (int id : IDS[b]) {
        Reference.kerasLstm(kernel, recurrent, bias, Reference.row(table, id, E), h, c);
      }
      System.arraycopy(
          Reference.dense(h, denseKernel, denseBias), 0, expected, b * CLASSES, CLASSES);
    }
    assertClose(expected, Fixtures.runNetwork(out, IDS), "class logits");
  }

  @ParameterizedTest(name = "reset_after={0}")
  @ValueSource(booleans = {true, false})
  void gruFromTrainableVariablesKeys(boolean resetAfter) throws IOException {
    float[] table = add("trainable_variables/0", "embedding_1/embeddings", V, E);
    float[] kernel = add("trainable_variables/1", "gru/gru_cell/kernel", E, 3 * H);
    float[] recurrent = add("trainable_variables/2", "gru/gru_cell/recurrent_kernel", H, 3 * H);
    float[] bias =
        resetAfter
            ? add("trainable_variables/3", "gru/gru_cell/bias", 2, 3 * H)
            : add("trainable_variables/3", "gru/gru_cell/bias", 3 * H);
    float[] denseKernel = add("trainable_variables/4", "dense/kernel", H, CLASSES);
    float[] denseBias = add("trainable_variables/5", "dense/bias", CLASSES);
    Path out = dir.resolve("gru");

    Importer.Result result = Importer.run(Importer.Options.of(write(), out));

    ModelConfig config = result.config().orElseThrow();
    assertEquals(CellKind.GRU, config.getCell(), "cell");
    assertEquals(resetAfter, config.getGruResetAfter(), "reset_after from the bias shape");
    double[] expected = new double[IDS.length * CLASSES];
    for (int b = 0; b < IDS.length; b++) {
      double[] h = new double[H];
      for (int id : IDS[b]) {
        Reference.kerasGru(kernel, recurrent, bias, resetAfter, Reference.row(table, id, E), h);
      }
      System.arraycopy(
          Reference.dense(h, denseKernel, denseBias), 0, expected, b * CLASSES, CLASSES);
    }
    assertClose(expected, Fixtures.runNetwork(out, IDS), "class logits");
  }

  @Test
  void cudnnLstmBiasesAreSummed() throws IOException {
    float[] table = add("layer_with_weights-0/embeddings", "embedding/embeddings", V, E);
    float[] kernel = add("layer_with_weights-1/kernel", "cu_dnnlstm/kernel", E, 4 * H);
    float[] recurrent =
        add("layer_with_weights-1/recurrent_kernel", "cu_dnnlstm/recurrent_kernel", H, 4 * H);
    float[] bias = add("layer_with_weights-1/bias", "cu_dnnlstm/bias", 8 * H);
    float[] denseKernel = add("layer_with_weights-2/kernel", "dense/kernel", H, CLASSES);
    float[] denseBias = add("layer_with_weights-2/bias", "dense/bias", CLASSES);
    Path out = dir.resolve("cudnn");

    Importer.run(Importer.Options.of(write(), out));

    double[] expected = new double[IDS.length * CLASSES];
    for (int b = 0; b < IDS.length; b++) {
      double[] h = new double[H];
      double[] c = new double[H];
      for (int id : IDS[b]) {
        Reference.cudnnLstm(kernel, recurrent, bias, Reference.row(table, id, E), h, c);
      }
      System.arraycopy(
          Reference.dense(h, denseKernel, denseBias), 0, expected, b * CLASSES, CLASSES);
    }
    assertClose(expected, Fixtures.runNetwork(out, IDS), "class logits");
  }

  @Test
  void bidirectionalThenSimpleRnnIsLayerStack() throws IOException {
    float[] table = add("trainable_variables/0", "embedding/embeddings", V, E);
    Map<String, float[][]> cells = new LinkedHashMap<>();
    int index = 1;
    for (String direction : List.of("forward", "backward")) {
      String cell = "bidirectional/" + direction + "_lstm/lstm_cell_" + index + "/";
      cells.put(
          direction,
          new float[][] {
            add("trainable_variables/" + index++, cell + "kernel", E, 4 * H),
            add("trainable_variables/" + index++, cell + "recurrent_kernel", H, 4 * H),
            add("trainable_variables/" + index++, cell + "bias", 4 * H)
          });
    }
    float[] rnnKernel = add("trainable_variables/7", "simple_rnn/simple_rnn_cell/kernel", 2 * H, H);
    float[] rnnRecurrent =
        add("trainable_variables/8", "simple_rnn/simple_rnn_cell/recurrent_kernel", H, H);
    float[] rnnBias = add("trainable_variables/9", "simple_rnn/simple_rnn_cell/bias", H);
    float[] denseKernel = add("trainable_variables/10", "dense_1/kernel", H, CLASSES);
    float[] denseBias = add("trainable_variables/11", "dense_1/bias", CLASSES);
    Path out = dir.resolve("stack");

    Importer.Result result = Importer.run(Importer.Options.of(write(), out));

    assertTrue(result.config().isEmpty(), "mixed cell types do not form a Network");
    assertFalse(result.uncovered().isEmpty(), "the report says why");
    assertEquals(
        List.of("embedding", "bidirectional", "simple_rnn_1", "dense"), result.scopes(), "scopes");
    int steps = IDS[0].length;
    float[] actual =
        Fixtures.runGraph(
            out,
            (tf, store) -> {
              Operand<TInt32> lengths = tf.constant(Fixtures.lengths(IDS));
              Operand<TFloat32> x =
                  Embedding.create(store, "embedding", V, E).apply(tf, tf.constant(IDS));
              x =
                  Bidirectional.create(
                          store, "bidirectional", "lstm", LstmCell::create, E, H, MergeMode.CONCAT)
                      .apply(tf, x, lengths, steps)
                      .outputs();
              x =
                  Rnn.of(SimpleRnnCell.create(store, "simple_rnn_1", 2 * H, H))
                      .apply(tf, x, lengths, steps)
                      .outputs();
              return Dense.create(store, "dense", H, CLASSES)
                  .apply(tf, SequencePooling.last(tf, x, lengths));
            });
    double[] expected = new double[IDS.length * CLASSES];
    for (int b = 0; b < IDS.length; b++) {
      double[][] forward = new double[steps][];
      double[][] backward = new double[steps][];
      for (String direction : List.of("forward", "backward")) {
        float[][] w = cells.get(direction);
        double[] h = new double[H];
        double[] c = new double[H];
        for (int i = 0; i < steps; i++) {
          int t = direction.equals("forward") ? i : steps - 1 - i;
          Reference.kerasLstm(w[0], w[1], w[2], Reference.row(table, IDS[b][t], E), h, c);
          (direction.equals("forward") ? forward : backward)[t] = h.clone();
        }
      }
      double[] h = new double[H];
      for (int t = 0; t < steps; t++) {
        Reference.kerasSimpleRnn(
            rnnKernel, rnnRecurrent, rnnBias, Reference.concat(forward[t], backward[t]), h);
      }
      System.arraycopy(
          Reference.dense(h, denseKernel, denseBias), 0, expected, b * CLASSES, CLASSES);
    }
    assertClose(expected, actual, "class logits");
  }
}
