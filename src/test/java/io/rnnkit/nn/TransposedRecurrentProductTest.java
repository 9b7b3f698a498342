package io.rnnkit.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.MatmulPrecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The transposed recurrent product of training graphs gives the outputs and gradients of the plain
 * product, for every cell, both directions and with a recurrent dropout mask.
 */
class TransposedRecurrentProductTest {

  private static final int BATCH = 3;
  private static final float SCALE = 0.8f;
  private static final int STEPS = 5;
  private static final int INPUT = 4;
  private static final int HIDDEN = 6;

  private interface CellMaker {
    RnnCell<?> make(ParameterStore store);
  }

  /** Builds outputs, final state and the gradients of a weighted sum of them. */
  private static <S extends RnnState> List<Operand<?>> build(
      Ops tf,
      Graph graph,
      Rnn<S> rnn,
      Operand<TFloat32> inputs,
      Operand<TFloat32> mask,
      Operand<TFloat32> outputWeights,
      List<Variable<TFloat32>> variables) {
    RnnOutput<S> out = rnn.apply(tf, inputs, tf.constant(new int[] {5, 2, 0}), STEPS, null, mask);
    Operand<TFloat32> loss =
        tf.reduceSum(tf.math.mul(out.outputs(), outputWeights), tf.constant(new int[] {0, 1, 2}));
    for (Operand<TFloat32> part : out.finalState().parts()) {
      loss = tf.math.add(loss, tf.reduceSum(tf.math.square(part), tf.constant(new int[] {0, 1})));
    }
    List<Output<?>> wrt = new ArrayList<>();
    wrt.add(inputs.asOutput());
    variables.forEach(v -> wrt.add(v.asOutput()));
    List<Operand<?>> fetches = new ArrayList<>();
    fetches.add(out.outputs());
    fetches.addAll(out.finalState().parts());
    fetches.addAll(List.of(graph.addGradients(loss.asOutput(), wrt.toArray(Output<?>[]::new))));
    return fetches;
  }

  private static void assertSame(CellMaker maker, boolean backwards, boolean withMask) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Random random = new Random(11);
      ParameterStore store = ParameterStore.forTraining(tf, 3);
      @SuppressWarnings("unchecked")
      RnnCell<RnnState> cell = (RnnCell<RnnState>) maker.make(store);
      List<Variable<TFloat32>> variables = new ArrayList<>(store.variables().values());
      Operand<TFloat32> inputs =
          KernelAgreement.randomConstant(tf, random, SCALE, BATCH, STEPS, INPUT);
      Operand<TFloat32> mask =
          withMask ? KernelAgreement.randomConstant(tf, random, SCALE, BATCH, HIDDEN) : null;
      Operand<TFloat32> outputWeights =
          KernelAgreement.randomConstant(tf, random, SCALE, BATCH, STEPS, HIDDEN);
      Rnn<RnnState> plain = Rnn.of(cell).goBackwards(backwards);
      Rnn<RnnState> training =
          Rnn.of(cell.withTransposedRecurrentProduct(true)).goBackwards(backwards);
      assertFalse(plain.cell().transposedRecurrentProduct(), "a new cell builds the plain form");
      int before = KernelAgreement.countOps(g, "Transpose");
      List<Operand<?>> want = build(tf, g, plain, inputs, mask, outputWeights, variables);
      int afterPlain = KernelAgreement.countOps(g, "Transpose");
      List<Operand<?>> got = build(tf, g, training, inputs, mask, outputWeights, variables);
      assertNotEquals(
          afterPlain,
          KernelAgreement.countOps(g, "Transpose"),
          "the training graph builds the product transposed");
      assertEquals(before, afterPlain, "the plain graph has no Transpose op");
      try (GraphRunner runner = new GraphRunner(g)) {
        for (Variable<TFloat32> v : variables) {
          runner.feed(v, KernelAgreement.randomValues(random, (int) v.shape().size(), SCALE));
        }
        List<float[]> a = runner.fetch(want);
        List<float[]> b = runner.fetch(got);
        for (int k = 0; k < a.size(); k++) {
          KernelAgreement.assertClose(
              a.get(k), b.get(k), cell.name() + " fetch " + k + (backwards ? " back" : ""));
        }
      }
    }
  }

  @Test
  void lstm_sameOutputsAndGradients() {
    assertSame(s -> LstmCell.create(s, "lstm", INPUT, HIDDEN), false, false);
  }

  @Test
  void lstm_backwardsWithRecurrentMask() {
    assertSame(s -> LstmCell.create(s, "lstm", INPUT, HIDDEN), true, true);
  }

  @Test
  void gru_resetAfter() {
    assertSame(s -> GruCell.create(s, "gru", INPUT, HIDDEN, true), false, true);
  }

  @Test
  void gru_resetBefore() {
    assertSame(s -> GruCell.create(s, "gru", INPUT, HIDDEN, false), true, false);
  }

  @Test
  void simpleRnn() {
    assertSame(s -> SimpleRnnCell.create(s, "simple_rnn", INPUT, HIDDEN), false, true);
  }

  @Test
  void forTraining_transposesFromMinimumHiddenSize() {
    try (Graph g = new Graph()) {
      ParameterStore store = ParameterStore.forTraining(Ops.create(g), 3);
      int large = Rnn.TRANSPOSED_PRODUCT_MIN_HIDDEN;
      Rnn<LstmState> wide = Rnn.of(LstmCell.create(store, "wide", INPUT, large)).goBackwards(true);
      Rnn<LstmState> narrow = Rnn.of(LstmCell.create(store, "narrow", INPUT, large - 1));
      assertTrue(
          wide.forTraining().cell().transposedRecurrentProduct(),
          "H " + large + " trains with the transposed product");
      assertTrue(wide.forTraining().cell() != wide.cell(), "forTraining copies the cell");
      assertFalse(
          narrow.forTraining().cell().transposedRecurrentProduct(),
          "H " + (large - 1) + " keeps the plain product");
      assertFalse(wide.cell().transposedRecurrentProduct(), "the original layer is unchanged");
    }
  }

  @Test
  void bfloat16Products_stayPlain() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParameterStore store = ParameterStore.forTraining(tf, 3);
      LstmCell cell =
          LstmCell.create(store, "lstm", INPUT, HIDDEN)
              .withMatmulPrecision(MatmulPrecision.BFLOAT16)
              .withTransposedRecurrentProduct(true);
      Random random = new Random(3);
      int before = KernelAgreement.countOps(g, "Transpose");
      Rnn.of(cell)
          .apply(
              tf,
              KernelAgreement.randomConstant(tf, random, SCALE, BATCH, STEPS, INPUT),
              tf.constant(new int[] {5, 2, 0}),
              STEPS);
      assertEquals(
          before,
          KernelAgreement.countOps(g, "Transpose"),
          "bfloat16 recurrent products are built plain");
    }
  }
}
