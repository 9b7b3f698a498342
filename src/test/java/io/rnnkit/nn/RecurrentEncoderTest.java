package io.rnnkit.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.CellKind;
import io.rnnkit.config.ModelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

class RecurrentEncoderTest {

  /** Returns the variables of {@code store} as name to shape, in creation order. */
  private static Map<String, Shape> shapes(ParameterStore store) {
    Map<String, Shape> result = new LinkedHashMap<>();
    store.variables().keySet().forEach(name -> result.put(name, store.shape(name)));
    return result;
  }

  private static Map<String, Shape> expected(Object... nameShapePairs) {
    Map<String, Shape> result = new LinkedHashMap<>();
    for (int i = 0; i < nameShapePairs.length; i += 2) {
      result.put((String) nameShapePairs[i], (Shape) nameShapePairs[i + 1]);
    }
    return result;
  }

  private static void assertGraphNamesMatch(ParameterStore store) {
    store
        .variables()
        .forEach(
            (name, variable) ->
                assertEquals(name, variable.op().name(), "graph op name of variable " + name));
  }

  @Test
  void stackedLstmVariableNames() {
    try (Graph g = new Graph()) {
      ParameterStore store = ParameterStore.forRestore(Ops.create(g));
      RecurrentEncoder encoder =
          RecurrentEncoder.create(store, RecurrentEncoder.Spec.of(CellType.LSTM, 3, 4, 2, false));
      Map<String, Shape> want =
          expected(
              "lstm/kernel", Shape.of(3, 16),
              "lstm/recurrent_kernel", Shape.of(4, 16),
              "lstm/bias", Shape.of(16),
              "lstm_1/kernel", Shape.of(4, 16),
              "lstm_1/recurrent_kernel", Shape.of(4, 16),
              "lstm_1/bias", Shape.of(16));
      assertEquals(want, shapes(store), "variables of a 2-layer LSTM");
      assertGraphNamesMatch(store);
      assertEquals(List.of("lstm/", "lstm_1/"), encoder.layerPrefixes(), "layer prefixes");
      assertEquals(4, encoder.outputSize(), "output size of a unidirectional encoder");
    }
  }

  @Test
  void stackedBidirectionalGruVariableNames() {
    try (Graph g = new Graph()) {
      ParameterStore store = ParameterStore.forRestore(Ops.create(g));
      RecurrentEncoder encoder =
          RecurrentEncoder.create(store, RecurrentEncoder.Spec.of(CellType.GRU, 3, 4, 2, true));
      Map<String, Shape> want =
          expected(
              "bidirectional/forward_gru/kernel", Shape.of(3, 12),
              "bidirectional/forward_gru/recurrent_kernel", Shape.of(4, 12),
              "bidirectional/forward_gru/bias", Shape.of(2, 12),
              "bidirectional/backward_gru/kernel", Shape.of(3, 12),
              "bidirectional/backward_gru/recurrent_kernel", Shape.of(4, 12),
              "bidirectional/backward_gru/bias", Shape.of(2, 12),
              "bidirectional_1/forward_gru_1/kernel", Shape.of(8, 12),
              "bidirectional_1/forward_gru_1/recurrent_kernel", Shape.of(4, 12),
              "bidirectional_1/forward_gru_1/bias", Shape.of(2, 12),
              "bidirectional_1/backward_gru_1/kernel", Shape.of(8, 12),
              "bidirectional_1/backward_gru_1/recurrent_kernel", Shape.of(4, 12),
              "bidirectional_1/backward_gru_1/bias", Shape.of(2, 12));
      assertEquals(want, shapes(store), "variables of a 2-layer bidirectional GRU");
      assertGraphNamesMatch(store);
      assertEquals(
          List.of("bidirectional/", "bidirectional_1/"), encoder.layerPrefixes(), "prefixes");
      assertEquals(8, encoder.outputSize(), "output size D*H of a bidirectional encoder");
      assertEquals(
          6,
          store.variablesUnder(List.of(encoder.layerPrefixes().get(0))).size(),
          "prefix of layer 0 selects only its 6 variables");
    }
  }

  @Test
  void singleLayerVariableNames() {
    try (Graph g = new Graph()) {
      ParameterStore store = ParameterStore.forRestore(Ops.create(g));
      RecurrentEncoder.create(store, RecurrentEncoder.Spec.of(CellType.SIMPLE_RNN, 2, 5, 1, false));
      GruCell.create(store, "gru", 2, 5, false);
      Bidirectional.create(store, "bidirectional", "lstm", LstmCell::create, 2, 3, MergeMode.SUM);
      Map<String, Shape> want =
          expected(
              "simple_rnn/kernel", Shape.of(2, 5),
              "simple_rnn/recurrent_kernel", Shape.of(5, 5),
              "simple_rnn/bias", Shape.of(5),
              "gru/kernel", Shape.of(2, 15),
              "gru/recurrent_kernel", Shape.of(5, 15),
              "gru/bias", Shape.of(15),
              "bidirectional/forward_lstm/kernel", Shape.of(2, 12),
              "bidirectional/forward_lstm/recurrent_kernel", Shape.of(3, 12),
              "bidirectional/forward_lstm/bias", Shape.of(12),
              "bidirectional/backward_lstm/kernel", Shape.of(2, 12),
              "bidirectional/backward_lstm/recurrent_kernel", Shape.of(3, 12),
              "bidirectional/backward_lstm/bias", Shape.of(12));
      assertEquals(want, shapes(store), "variables of SimpleRNN, GRU without resetAfter, Bi-LSTM");
      assertGraphNamesMatch(store);
    }
  }

  @Test
  void fromConfigBuildsSpec() {
    ModelConfig config =
        ModelConfig.newBuilder()
            .setCell(CellKind.GRU)
            .setEmbeddingSize(6)
            .setHiddenSize(5)
            .setNumLayers(3)
            .setBidirectional(true)
            .setDropout(0.25f)
            .setRecurrentDropout(0.1f)
            .setGruResetAfter(true)
            .build();
    try (Graph g = new Graph()) {
      ParameterStore store = ParameterStore.forRestore(Ops.create(g));
      RecurrentEncoder encoder = RecurrentEncoder.fromConfig(store, config);
      RecurrentEncoder.Spec want =
          new RecurrentEncoder.Spec(
              CellType.GRU, 6, 5, 3, true, 0.25f, 0.1f, true, MergeMode.CONCAT);
      assertEquals(want, encoder.spec(), "spec from the configuration");
      assertEquals(
          List.of("bidirectional", "bidirectional_1", "bidirectional_2"),
          encoder.layerScopes(),
          "layer scopes");
      assertEquals(10, encoder.outputSize(), "output size 2H");
      assertEquals(Shape.of(6, 15), store.shape("bidirectional/forward_gru/kernel"), "input size");
    }
  }

  private static final int B = 4;
  private static final int H = 16;
  private static final int T = 4;

  /**
   * Runs a 1-layer SimpleRNN encoder with recurrent dropout 0.5 once per seed. Its kernel is 0,
   * recurrent kernel the identity and bias 1, so that {@code h_t = tanh(h_(t-1) * m + 1)} per unit
   * with recurrent mask value {@code m} (0 or 2 when training, 1 at inference).
   */
  private static float[][] runMaskProbe(boolean training, long[]... seeds) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParameterStore store = ParameterStore.forRestore(tf);
      RecurrentEncoder.Spec spec =
          new RecurrentEncoder.Spec(
              CellType.SIMPLE_RNN, 1, H, 1, false, 0f, 0.5f, true, MergeMode.CONCAT);
      RecurrentEncoder encoder = RecurrentEncoder.create(store, spec);
      Operand<TInt64> seed = tf.placeholder(TInt64.class);
      Operand<TFloat32> inputs = tf.zeros(tf.constant(new int[] {B, T, 1}), TFloat32.class);
      Operand<TInt32> lengths = tf.constant(new int[] {T, T, T, T});
      EncoderOutput out = encoder.apply(tf, inputs, lengths, T, training, seed);
      if (!training) {
        g.operations()
            .forEachRemaining(
                op ->
                    assertFalse(
                        ((GraphOperation) op).type().startsWith("StatelessRandom"),
                        "inference graph contains random op " + op.name()));
      }
      float[] identity = new float[H * H];
      for (int k = 0; k < H; k++) {
        identity[k * H + k] = 1f;
      }
      float[] ones = new float[H];
      Arrays.fill(ones, 1f);
      List<float[]> results = new ArrayList<>();
      for (long[] seedValue : seeds) {
        try (GraphRunner runner = new GraphRunner(g);
            var seedTensor = TInt64.vectorOf(seedValue)) {
          runner.feed(store.variables().get("simple_rnn/kernel"), new float[H]);
          runner.feed(store.variables().get("simple_rnn/recurrent_kernel"), identity);
          runner.feed(store.variables().get("simple_rnn/bias"), ones);
          results.add(
              training
                  ? runner.fetchWith(seed, seedTensor, out.outputs())
                  : runner.fetch(out.outputs()));
        }
      }
      return results.toArray(new float[0][]);
    }
  }

  /** Returns the sequence of unit {@code k} of row {@code b} from outputs {@code [B, T, H]}. */
  private static float[] unitSequence(float[] outputs, int b, int k) {
    float[] sequence = new float[T];
    for (int t = 0; t < T; t++) {
      sequence[t] = outputs[(b * T + t) * H + k];
    }
    return sequence;
  }

  /** Returns the sequence {@code h_t = tanh(h_(t-1) * m + 1)} from {@code h_0 = 0}. */
  private static float[] tanhSequence(double mask) {
    float[] sequence = new float[T];
    double h = 0;
    for (int t = 0; t < T; t++) {
      h = Math.tanh(h * mask + 1);
      sequence[t] = (float) h;
    }
    return sequence;
  }

  private static boolean close(float[] expected, float[] actual) {
    for (int t = 0; t < expected.length; t++) {
      if (Math.abs(expected[t] - actual[t]) > 1e-5) {
        return false;
      }
    }
    return true;
  }

  @Test
  void recurrentDropoutOneMaskPerSequence() {
    float[] outputs = runMaskProbe(true, new long[] {7, 11})[0];
    float[] dropped = tanhSequence(0);
    float[] kept = tanhSequence(2);
    int droppedCount = 0;
    for (int b = 0; b < B; b++) {
      for (int k = 0; k < H; k++) {
        float[] sequence = unitSequence(outputs, b, k);
        boolean isDropped = close(dropped, sequence);
        boolean isKept = close(kept, sequence);
        assertTrue(
            isDropped || isKept,
            "unit "
                + k
                + " of row "
                + b
                + " mixes masks across steps: "
                + Arrays.toString(sequence));
        droppedCount += isDropped ? 1 : 0;
      }
    }
    assertTrue(droppedCount > 0, "some units are dropped at rate 0.5");
    assertTrue(droppedCount < B * H, "some units are kept at rate 0.5");
  }

  @Test
  void recurrentDropoutSeedFixesMasks() {
    float[][] outputs =
        runMaskProbe(true, new long[] {7, 11}, new long[] {7, 11}, new long[] {8, 11});
    assertArrayEquals(outputs[0], outputs[1], "same seed gives the same masks");
    assertFalse(Arrays.equals(outputs[0], outputs[2]), "another seed gives other masks");
  }

  @Test
  void inferenceHasNoDropout() {
    float[] outputs = runMaskProbe(false, new long[] {7, 11})[0];
    float[] expected = tanhSequence(1);
    for (int b = 0; b < B; b++) {
      for (int k = 0; k < H; k++) {
        float[] sequence = unitSequence(outputs, b, k);
        assertTrue(close(expected, sequence), "unit " + k + " of row " + b + " is not masked");
      }
    }
  }

  @Test
  void trainingStoreInitializesEveryCellType() {
    for (CellType type : CellType.values()) {
      try (Graph g = new Graph()) {
        Ops tf = Ops.create(g);
        ParameterStore store = ParameterStore.forTraining(tf, 42);
        RecurrentEncoder encoder =
            RecurrentEncoder.create(store, RecurrentEncoder.Spec.of(type, 3, 4, 2, true));
        Operand<TFloat32> inputs = tf.fill(tf.constant(new int[] {2, 3, 3}), tf.constant(0.5f));
        EncoderOutput out = encoder.apply(tf, inputs, tf.constant(new int[] {3, 2}), 3);
        try (org.tensorflow.Session session = new org.tensorflow.Session(g)) {
          session.initialize();
          try (var result = session.runner().fetch(out.outputs()).run()) {
            var values = (TFloat32) result.get(0);
            assertEquals(Shape.of(2, 3, 8), values.shape(), type + " output shape");
            assertTrue(values.getFloat(0, 0, 0) != 0f, type + " output of a real step is not 0");
            assertEquals(0f, values.getFloat(1, 2, 0), type + " output of a padded step");
          }
        }
      }
    }
  }
}
