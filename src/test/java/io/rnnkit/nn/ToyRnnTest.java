package io.rnnkit.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Masking and direction on a toy cell: SimpleRNN with {@code H = I = 1}, identity activation and
 * all weights 1, so {@code h_t = h_(t-1) + x_t + 1}.
 */
class ToyRnnTest {

  private static final float[] ROWS = {1, 2, 3, 4, 4, 5, 0, 0};

  /** Builds the toy layer over {@code inputs [B, T, 1]} and returns outputs and final state. */
  private static List<Operand<TFloat32>> toyLayer(
      Ops tf,
      ParameterStore store,
      Operand<TFloat32> inputs,
      Operand<TInt32> lengths,
      int timeSteps,
      boolean goBackwards) {
    SimpleRnnCell cell = SimpleRnnCell.create(store, "simple_rnn", 1, 1, Activation.LINEAR);
    RnnOutput<HiddenState> out =
        Rnn.of(cell).goBackwards(goBackwards).apply(tf, inputs, lengths, timeSteps);
    return List.of(out.outputs(), out.finalState().hidden());
  }

  /** Feeds the toy weights (all 1) of the store's SimpleRNN. */
  private static void feedToyWeights(GraphRunner runner, ParameterStore store) {
    for (String name : List.of("kernel", "recurrent_kernel", "bias")) {
      runner.feed(store.variables().get("simple_rnn/" + name), 1f);
    }
  }

  private static List<float[]> runToy(float[] rows, int[] lengths, int timeSteps, boolean back) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParameterStore store = ParameterStore.forRestore(tf);
      Operand<TFloat32> inputs = tf.placeholder(TFloat32.class);
      Operand<TInt32> lengthOp = tf.constant(lengths);
      Operand<TFloat32> shaped =
          tf.reshape(inputs, tf.constant(new int[] {lengths.length, timeSteps, 1}));
      List<Operand<TFloat32>> fetches = toyLayer(tf, store, shaped, lengthOp, timeSteps, back);
      try (GraphRunner runner = new GraphRunner(g)) {
        feedToyWeights(runner, store);
        runner.feed(inputs, Shape.of(lengths.length, timeSteps, 1), rows);
        return runner.fetch(fetches);
      }
    }
  }

  @Test
  void forwardMasksPaddedSteps() {
    List<float[]> result = runToy(ROWS, new int[] {4, 2}, 4, false);
    float[] outputs = result.get(0);
    float[] states = result.get(1);
    assertArrayEquals(
        new float[] {2, 5, 9, 14}, Arrays.copyOfRange(outputs, 0, 4), "forward outputs of row A");
    assertArrayEquals(
        new float[] {5, 11, 0, 0}, Arrays.copyOfRange(outputs, 4, 8), "forward outputs of row B");
    assertEquals(14f, states[0], "final state of row A");
    assertEquals(11f, states[1], "final state of row B is the state after step length-1");
    assertEquals(states[0], outputs[3], "row A output at length-1 equals its final state");
    assertEquals(states[1], outputs[5], "row B output at length-1 equals its final state");
    assertEquals(0f, outputs[7], "row B output at padded step T-1 is exactly 0");
  }

  @Test
  void backwardReadsWithinLengths() {
    List<float[]> result = runToy(ROWS, new int[] {4, 2}, 4, true);
    float[] outputs = result.get(0);
    float[] states = result.get(1);
    float[] rowA = Arrays.copyOfRange(outputs, 0, 4);
    float[] rowB = Arrays.copyOfRange(outputs, 4, 8);
    assertArrayEquals(new float[] {14, 12, 9, 5}, rowA, "backward outputs of row A, aligned");
    assertArrayEquals(new float[] {11, 6, 0, 0}, rowB, "backward outputs of row B, aligned");
    assertEquals(14f, states[0], "backward final state of row A");
    assertEquals(11f, states[1], "backward final state of row B");
    assertFalse(rowB[0] == 13f, "13 would mean the padding was read first");
    assertFalse(rowB[1] == 2f, "2 would mean the mask was not reversed with the inputs");
    assertFalse(
        Arrays.equals(new float[] {5, 11, 0, 0}, rowB),
        "[5, 11, 0, 0] would mean the backward layer ran forwards");
  }

  @Test
  void backwardMatchesUnpaddedRow() {
    List<float[]> result = runToy(new float[] {4, 5}, new int[] {2}, 2, true);
    assertArrayEquals(new float[] {11, 6}, result.get(0), "row B alone with T = 2");
    assertEquals(11f, result.get(1)[0], "final state of row B alone");
  }

  @Test
  void emptyRowKeepsInitialState() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParameterStore store = ParameterStore.forRestore(tf);
      SimpleRnnCell cell = SimpleRnnCell.create(store, "simple_rnn", 1, 1, Activation.LINEAR);
      Operand<TFloat32> inputs = tf.constant(new float[][][] {{{1}, {2}, {3}}, {{7}, {8}, {9}}});
      Operand<TInt32> lengths = tf.constant(new int[] {3, 0});
      HiddenState initial = new HiddenState(tf.constant(new float[][] {{0.5f}, {-3f}}));
      RnnOutput<HiddenState> out = Rnn.of(cell).apply(tf, inputs, lengths, 3, initial, null);
      try (GraphRunner runner = new GraphRunner(g)) {
        feedToyWeights(runner, store);
        List<float[]> result = runner.fetch(List.of(out.outputs(), out.finalState().hidden()));
        float[] outputs = result.get(0);
        assertArrayEquals(
            new float[] {0, 0, 0}, Arrays.copyOfRange(outputs, 3, 6), "outputs of empty row");
        assertEquals(-3f, result.get(1)[1], "empty row keeps its initial state");
        assertEquals(2.5f, outputs[0], "row A starts from its initial state 0.5");
      }
    }
  }
}
