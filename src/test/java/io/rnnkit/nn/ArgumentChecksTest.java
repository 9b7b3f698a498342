package io.rnnkit.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Invalid arguments fail while the graph is built, with messages that name the value. */
class ArgumentChecksTest {

  private static void assertRejected(String expectedText, Executable build) {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, build);
    assertTrue(
        error.getMessage().contains(expectedText),
        "message should contain '" + expectedText + "': " + error.getMessage());
  }

  private static RecurrentEncoder.Spec spec(
      int inputSize, int hiddenSize, int numLayers, float dropout, float recurrentDropout) {
    return new RecurrentEncoder.Spec(
        CellType.LSTM,
        inputSize,
        hiddenSize,
        numLayers,
        false,
        dropout,
        recurrentDropout,
        true,
        MergeMode.CONCAT);
  }

  @Test
  void cellSizesMustBePositive() {
    try (Graph g = new Graph()) {
      ParameterStore store = ParameterStore.forRestore(Ops.create(g));
      assertRejected("hiddenSize must be positive, got 0", () -> GruCell.create(store, "a", 2, 0));
      assertRejected(
          "inputSize must be positive, got -1", () -> SimpleRnnCell.create(store, "b", -1, 2));
      assertRejected("hiddenSize must be positive, got 0", () -> LstmCell.create(store, "c", 2, 0));
      assertRejected("name must be", () -> GruCell.create(store, "", 2, 2));
    }
  }

  @Test
  void specRejectsInvalidValues() {
    assertRejected("inputSize must be positive, got 0", () -> spec(0, 4, 1, 0f, 0f));
    assertRejected("hiddenSize must be positive, got -4", () -> spec(3, -4, 1, 0f, 0f));
    assertRejected("numLayers must be positive, got 0", () -> spec(3, 4, 0, 0f, 0f));
    assertRejected("dropout must be in [0, 1), got 1.0", () -> spec(3, 4, 1, 1f, 0f));
    assertRejected("dropout must be in [0, 1), got -0.1", () -> spec(3, 4, 1, -0.1f, 0f));
    assertRejected(
        "recurrentDropout must be in [0, 1), got NaN", () -> spec(3, 4, 1, 0f, Float.NaN));
  }

  @Test
  void configWithoutCellIsRejected() {
    try (Graph g = new Graph()) {
      ParameterStore store = ParameterStore.forRestore(Ops.create(g));
      ModelConfig config =
          ModelConfig.newBuilder().setEmbeddingSize(3).setHiddenSize(4).setNumLayers(1).build();
      assertRejected(
          "cell must be LSTM, GRU or SIMPLE_RNN, got CELL_KIND_UNSPECIFIED",
          () -> RecurrentEncoder.fromConfig(store, config));
    }
  }

  @Test
  void rnnRejectsMismatchedInputs() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParameterStore store = ParameterStore.forRestore(tf);
      Rnn<LstmState> rnn = Rnn.of(LstmCell.create(store, "lstm", 3, 4));
      Operand<TFloat32> inputs = tf.zeros(tf.constant(new int[] {2, 5, 7}), TFloat32.class);
      Operand<TFloat32> goodInputs = tf.zeros(tf.constant(new int[] {2, 5, 3}), TFloat32.class);
      Operand<TInt32> lengths = tf.constant(new int[] {5, 3});
      assertRejected(
          "must have last dimension I = 3 to match its kernel, got shape [2, 5, 7]",
          () -> rnn.apply(tf, inputs, lengths, 5));
      assertRejected(
          "lengths must have rank 1 [B], got shape [1, 2]",
          () -> rnn.apply(tf, goodInputs, tf.constant(new int[][] {{5, 3}}), 5));
      assertRejected(
          "inputs have 5 time steps, timeSteps is 4", () -> rnn.apply(tf, goodInputs, lengths, 4));
      assertRejected(
          "timeSteps must be positive, got 0", () -> rnn.apply(tf, goodInputs, lengths, 0));
    }
  }

  @Test
  void trainingWithDropoutNeedsSeed() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParameterStore store = ParameterStore.forRestore(tf);
      RecurrentEncoder encoder = RecurrentEncoder.create(store, spec(3, 4, 1, 0.5f, 0f));
      Operand<TFloat32> inputs = tf.zeros(tf.constant(new int[] {2, 5, 3}), TFloat32.class);
      Operand<TInt32> lengths = tf.constant(new int[] {5, 3});
      assertRejected(
          "seed must be an int64 [2] operand when training with dropout, got null",
          () -> encoder.apply(tf, inputs, lengths, 5, true, null));
      assertRejected(
          "seed must have shape [2], got shape [3]",
          () -> encoder.apply(tf, inputs, lengths, 5, true, tf.constant(new long[] {1, 2, 3})));
    }
  }

  @Test
  void bidirectionalRejectsMismatchedCells() {
    try (Graph g = new Graph()) {
      ParameterStore store = ParameterStore.forRestore(Ops.create(g));
      GruCell forward = GruCell.create(store, "forward_gru", 3, 4);
      GruCell backward = GruCell.create(store, "backward_gru", 3, 5);
      assertRejected(
          "backward cell must have the forward cell's sizes (I = 3, H = 4), got I = 3, H = 5",
          () -> Bidirectional.of(forward, backward, MergeMode.CONCAT));
    }
  }

  @Test
  void storeRejectsShapeChange() {
    try (Graph g = new Graph()) {
      ParameterStore store = ParameterStore.forRestore(Ops.create(g));
      LstmCell.create(store, "lstm", 3, 4);
      assertRejected(
          "variable lstm/kernel already exists with shape [3, 16], requested shape [5, 16]",
          () -> LstmCell.create(store, "lstm", 5, 4));
    }
  }
}
