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
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The transposed recurrent product of training graphs gives the outputs and gradients of the plain
 * product, for every cell, both directions and with a recurrent dropout mask.
 */
class TransposedRecurrentProductTest {

  private static final int BATCH = 3;
  private static final int STEPS = 5;
  private static final int INPUT = 4;
  private static final int HIDDEN = 6;
  private static final float TOLERANCE = 1e-5f;

  private interface CellMaker {
    RnnCell<?> make(ParameterStore store);
  }

  private static Operand<TFloat32> randomConstant(Ops tf, Random random, long... shape) {
    Shape s = Shape.of(shape);
    return tf.constant(s, DataBuffers.of(randomValues(random, (int) s.size()), true, false));
  }

  private static float[] randomValues(Random random, int count) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) ((random.nextDouble() * 2 - 1) * 0.8);
    }
    return values;
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
      Operand<TFloat32> inputs = randomConstant(tf, random, BATCH, STEPS, INPUT);
      Operand<TFloat32> mask = withMask ? randomConstant(tf, random, BATCH, HIDDEN) : null;
      Operand<TFloat32> outputWeights = randomConstant(tf, random, BATCH, STEPS, HIDDEN);
      Rnn<RnnState> plain = Rnn.of(cell).goBackwards(backwards);
      Rnn<RnnState> training =
          Rnn.of(cell.withTransposedRecurrentProduct(true)).goBackwards(backwards);
      assertFalse(plain.cell().transposedRecurrentProduct(), "a new cell builds the plain form");
      int before = countTransposes(g);
      List<Operand<?>> want = build(tf, g, plain, inputs, mask, outputWeights, variables);
      int afterPlain = countTransposes(g);
      List<Operand<?>> got = build(tf, g, training, inputs, mask, outputWeights, variables);
      assertNotEquals(
          afterPlain, countTransposes(g), "the training graph builds the product transposed");
      assertEquals(before, afterPlain, "the plain graph has no Transpose op");
      try (GraphRunner runner = new GraphRunner(g)) {
        for (Variable<TFloat32> v : variables) {
          runner.feed(v, randomValues(random, (int) v.shape().size()));
        }
        List<float[]> a = runner.fetch(want);
        List<float[]> b = runner.fetch(got);
        for (int k = 0; k < a.size(); k++) {
          assertClose(a.get(k), b.get(k), cell.name() + " fetch " + k + (backwards ? " back" : ""));
        }
      }
    }
  }

  private static int countTransposes(Graph graph) {
    int count = 0;
    var it = graph.operations();
    while (it.hasNext()) {
      if (((GraphOperation) it.next()).type().equals("Transpose")) {
        count++;
      }
    }
    return count;
  }

  private static void assertClose(float[] want, float[] got, String what) {
    assertEquals(want.length, got.length, what + ": number of values");
    double worst = 0;
    double size = 0;
    for (int i = 0; i < want.length; i++) {
      worst = Math.max(worst, Math.abs(want[i] - got[i]) / Math.max(1, Math.abs(want[i])));
      size = Math.max(size, Math.abs(want[i]));
    }
    assertTrue(worst <= TOLERANCE, what + ": largest difference " + worst + " > " + TOLERANCE);
    assertTrue(size > 1e-3, what + ": reference values are not all zero, largest " + size);
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
      int before = countTransposes(g);
      Rnn.of(cell)
          .apply(
              tf,
              randomConstant(tf, random, BATCH, STEPS, INPUT),
              tf.constant(new int[] {5, 2, 0}),
              STEPS);
      assertEquals(before, countTransposes(g), "bfloat16 recurrent products are built plain");
    }
  }
}
