package io.rnnkit.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.RecurrentKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class FusedLstmTest {

  private static final int BATCH = 3;
  private static final float SCALE = 1f;
  private static final int STEPS = 5;
  private static final int INPUT = 4;
  private static final int HIDDEN = 6;

  /** Outputs, final state and gradients of one kernel, all flattened. */
  private record Run(List<Operand<?>> fetches) {}

  private static Run build(
      Ops tf,
      LstmCell cell,
      RecurrentKernel kernel,
      boolean backwards,
      Operand<TFloat32> inputs,
      LstmState initial,
      List<Operand<TFloat32>> weightsOfLoss,
      Graph graph) {
    Rnn<LstmState> rnn = Rnn.of(cell).kernel(kernel).goBackwards(backwards);
    RnnOutput<LstmState> out =
        rnn.apply(tf, inputs, tf.constant(new int[] {5, 2, 0}), STEPS, initial, null);
    Operand<TFloat32> loss =
        tf.math.add(
            tf.reduceSum(
                tf.math.mul(out.outputs(), weightsOfLoss.get(0)), tf.constant(new int[] {0, 1, 2})),
            tf.math.add(
                tf.reduceSum(
                    tf.math.mul(out.finalState().hidden(), weightsOfLoss.get(1)),
                    tf.constant(new int[] {0, 1})),
                tf.reduceSum(
                    tf.math.mul(out.finalState().cell(), weightsOfLoss.get(2)),
                    tf.constant(new int[] {0, 1}))));
    List<Output<?>> wrt = new ArrayList<>();
    wrt.add(inputs.asOutput());
    wrt.add(initial.hidden().asOutput());
    wrt.add(initial.cell().asOutput());
    wrt.add(cell.kernel().asOutput());
    wrt.add(cell.recurrentKernel().asOutput());
    wrt.add(cell.bias().asOutput());
    Output<?>[] gradients = graph.addGradients(loss.asOutput(), wrt.toArray(Output<?>[]::new));
    List<Operand<?>> fetches = new ArrayList<>();
    fetches.add(out.outputs());
    fetches.add(out.finalState().hidden());
    fetches.add(out.finalState().cell());
    fetches.addAll(List.of(gradients));
    return new Run(fetches);
  }

  private static void assertSameRuns(boolean backwards) {
    String[] names = {
      "outputs",
      "final hidden",
      "final cell",
      "d inputs",
      "d initial hidden",
      "d initial cell",
      "d kernel",
      "d recurrent_kernel",
      "d bias"
    };
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Random random = new Random(7);
      ParameterStore store = ParameterStore.forTraining(tf, 3);
      LstmCell cell = LstmCell.create(store, "lstm", INPUT, HIDDEN);
      Operand<TFloat32> inputs =
          KernelAgreement.randomConstant(tf, random, SCALE, BATCH, STEPS, INPUT);
      LstmState initial =
          new LstmState(
              KernelAgreement.randomConstant(tf, random, SCALE, BATCH, HIDDEN),
              KernelAgreement.randomConstant(tf, random, SCALE, BATCH, HIDDEN));
      List<Operand<TFloat32>> lossWeights =
          List.of(
              KernelAgreement.randomConstant(tf, random, SCALE, BATCH, STEPS, HIDDEN),
              KernelAgreement.randomConstant(tf, random, SCALE, BATCH, HIDDEN),
              KernelAgreement.randomConstant(tf, random, SCALE, BATCH, HIDDEN));
      Run unrolled =
          build(tf, cell, RecurrentKernel.UNROLLED, backwards, inputs, initial, lossWeights, g);
      Run fused =
          build(tf, cell, RecurrentKernel.FUSED, backwards, inputs, initial, lossWeights, g);
      assertTrue(
          (KernelAgreement.countOps(g, FusedLstm.OP_TYPE) > 0),
          "the fused graph contains " + FusedLstm.OP_TYPE);
      try (GraphRunner runner = new GraphRunner(g)) {
        // Weights of scale 0.8 and a random bias: a wrong gate order or an added forget bias
        // changes the outputs far beyond the tolerance.
        runner.feed(cell.kernel(), KernelAgreement.randomValues(random, INPUT * 4 * HIDDEN, 0.8f));
        runner.feed(
            cell.recurrentKernel(),
            KernelAgreement.randomValues(random, HIDDEN * 4 * HIDDEN, 0.8f));
        runner.feed(cell.bias(), KernelAgreement.randomValues(random, 4 * HIDDEN, 0.8f));
        List<float[]> want = runner.fetch(unrolled.fetches());
        List<float[]> got = runner.fetch(fused.fetches());
        for (int k = 0; k < names.length; k++) {
          KernelAgreement.assertClose(
              want.get(k), got.get(k), names[k] + (backwards ? " (backwards)" : ""));
        }
      }
    }
  }

  @Test
  void fusedForwardMatchesUnrolledOutputsAndGradients() {
    assertSameRuns(false);
  }

  @Test
  void fusedBackwardDirectionMatchesUnrolled() {
    assertSameRuns(true);
  }

  @Test
  void autoResolvesToUnrolled() {
    assertEquals(
        RecurrentKernel.UNROLLED,
        Rnn.resolve(RecurrentKernel.RECURRENT_KERNEL_AUTO),
        "AUTO kernel on this build");
  }
}
