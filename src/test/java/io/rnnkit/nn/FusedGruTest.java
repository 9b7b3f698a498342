package io.rnnkit.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.MatmulPrecision;
import io.rnnkit.config.RecurrentKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

class FusedGruTest {

  private static final int BATCH = 3;
  private static final float SCALE = 1f;
  private static final int STEPS = 5;
  private static final int INPUT = 4;
  private static final int HIDDEN = 6;
  private static final String[] NAMES = {
    "outputs",
    "final hidden",
    "d inputs",
    "d initial hidden",
    "d kernel",
    "d recurrent_kernel",
    "d bias"
  };

  /**
   * Returns the outputs, final state and the gradients of a random linear function of both with
   * respect to the inputs, the initial state and the three variables.
   */
  private static List<Operand<?>> build(
      Ops tf,
      GruCell cell,
      RecurrentKernel kernel,
      boolean backwards,
      Operand<TFloat32> inputs,
      HiddenState initial,
      List<Operand<TFloat32>> lossWeights,
      Graph graph) {
    Rnn<HiddenState> rnn = Rnn.of(cell).kernel(kernel).goBackwards(backwards);
    // Lengths with a full row, a partial row and an empty row.
    RnnOutput<HiddenState> out =
        rnn.apply(tf, inputs, tf.constant(new int[] {5, 2, 0}), STEPS, initial, null);
    Operand<TFloat32> loss =
        tf.math.add(
            tf.reduceSum(
                tf.math.mul(out.outputs(), lossWeights.get(0)), tf.constant(new int[] {0, 1, 2})),
            tf.reduceSum(
                tf.math.mul(out.finalState().hidden(), lossWeights.get(1)),
                tf.constant(new int[] {0, 1})));
    List<Output<?>> wrt = new ArrayList<>();
    wrt.add(inputs.asOutput());
    wrt.add(initial.hidden().asOutput());
    wrt.add(cell.kernel().asOutput());
    wrt.add(cell.recurrentKernel().asOutput());
    wrt.add(cell.bias().asOutput());
    Output<?>[] gradients = graph.addGradients(loss.asOutput(), wrt.toArray(Output<?>[]::new));
    List<Operand<?>> fetches = new ArrayList<>();
    fetches.add(out.outputs());
    fetches.add(out.finalState().hidden());
    fetches.addAll(List.of(gradients));
    return fetches;
  }

  private static void assertSameRuns(boolean backwards) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Random random = new Random(11);
      ParameterStore store = ParameterStore.forTraining(tf, 3);
      GruCell cell = GruCell.create(store, "gru", INPUT, HIDDEN, false);
      Operand<TFloat32> inputs =
          KernelAgreement.randomConstant(tf, random, SCALE, BATCH, STEPS, INPUT);
      HiddenState initial =
          new HiddenState(KernelAgreement.randomConstant(tf, random, SCALE, BATCH, HIDDEN));
      List<Operand<TFloat32>> lossWeights =
          List.of(
              KernelAgreement.randomConstant(tf, random, SCALE, BATCH, STEPS, HIDDEN),
              KernelAgreement.randomConstant(tf, random, SCALE, BATCH, HIDDEN));
      List<Operand<?>> unrolled =
          build(tf, cell, RecurrentKernel.UNROLLED, backwards, inputs, initial, lossWeights, g);
      assertFalse(
          (KernelAgreement.countOps(g, FusedGru.OP_TYPE) > 0),
          "the unrolled graph contains " + FusedGru.OP_TYPE);
      List<Operand<?>> fused =
          build(tf, cell, RecurrentKernel.FUSED, backwards, inputs, initial, lossWeights, g);
      assertTrue(
          (KernelAgreement.countOps(g, FusedGru.OP_TYPE) > 0),
          "the fused graph contains " + FusedGru.OP_TYPE);
      try (GraphRunner runner = new GraphRunner(g)) {
        // Weights of scale 0.8 and a random bias: swapping the r and u blocks, or computing
        // h' = (1 - u) * h + u * c, changes the outputs far beyond the tolerance.
        runner.feed(cell.kernel(), KernelAgreement.randomValues(random, INPUT * 3 * HIDDEN, 0.8f));
        runner.feed(
            cell.recurrentKernel(),
            KernelAgreement.randomValues(random, HIDDEN * 3 * HIDDEN, 0.8f));
        runner.feed(cell.bias(), KernelAgreement.randomValues(random, 3 * HIDDEN, 0.8f));
        List<float[]> want = runner.fetch(unrolled);
        List<float[]> got = runner.fetch(fused);
        for (int k = 0; k < NAMES.length; k++) {
          KernelAgreement.assertClose(
              want.get(k), got.get(k), NAMES[k] + (backwards ? " (backwards)" : ""));
        }
        assertPaddingIsZero(want.get(0), got.get(0));
      }
    }
  }

  /** Checks the outputs of row 1 (length 2) at steps 2..4 and of row 2 (length 0). */
  private static void assertPaddingIsZero(float[] unrolled, float[] fused) {
    int[][] padded = {{1, 2}, {1, 3}, {1, 4}, {2, 0}, {2, 4}};
    for (int[] at : padded) {
      int offset = (at[0] * STEPS + at[1]) * HIDDEN;
      for (int j = 0; j < HIDDEN; j++) {
        String where = "output of row " + at[0] + " at padded step " + at[1];
        assertEquals(0f, unrolled[offset + j], where + ", unrolled");
        assertEquals(0f, fused[offset + j], where + ", fused");
      }
    }
  }

  @Test
  void forwardMatchesUnrolled() {
    assertSameRuns(false);
  }

  @Test
  void backwardsMatchesUnrolled() {
    assertSameRuns(true);
  }

  /** Counts the GRUBlockCell ops that a FUSED layer over a GRU cell builds. */
  private static int fusedOps(boolean resetAfter, MatmulPrecision precision) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParameterStore store = ParameterStore.forTraining(tf, 3);
      GruCell cell =
          GruCell.create(store, "gru", INPUT, HIDDEN, resetAfter).withMatmulPrecision(precision);
      Operand<TFloat32> inputs =
          tf.zeros(tf.constant(new int[] {BATCH, STEPS, INPUT}), TFloat32.class);
      Rnn.of(cell)
          .kernel(RecurrentKernel.FUSED)
          .apply(tf, inputs, tf.constant(new int[] {5, 2, 0}), STEPS);
      return KernelAgreement.countOps(g, FusedGru.OP_TYPE);
    }
  }

  @Test
  void resetAfterGruStaysUnrolled() {
    assertEquals(
        0,
        fusedOps(true, MatmulPrecision.FLOAT32),
        "a resetAfter GRU under FUSED builds no " + FusedGru.OP_TYPE);
  }

  @Test
  void bfloat16GruStaysUnrolled() {
    assertEquals(
        0,
        fusedOps(false, MatmulPrecision.BFLOAT16),
        "a bfloat16 GRU under FUSED builds no " + FusedGru.OP_TYPE);
  }

  @Test
  void applyRejectsResetAfterCell() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParameterStore store = ParameterStore.forTraining(tf, 3);
      GruCell cell = GruCell.create(store, "gru", INPUT, HIDDEN, true);
      Operand<TFloat32> inputs =
          tf.zeros(tf.constant(new int[] {BATCH, STEPS, INPUT}), TFloat32.class);
      Operand<TBool> mask = Rnn.stepMask(tf, tf.constant(new int[] {5, 2, 0}), STEPS);
      HiddenState initial =
          new HiddenState(tf.zeros(tf.constant(new int[] {BATCH, HIDDEN}), TFloat32.class));
      var error =
          assertThrows(
              IllegalArgumentException.class,
              () -> FusedGru.apply(tf, cell, inputs, mask, STEPS, initial),
              "FusedGru.apply with a resetAfter cell");
      assertTrue(
          error.getMessage().contains("resetAfter"),
          "message names resetAfter: " + error.getMessage());
    }
  }
}
