package io.rnnkit.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Gradients through masking, concatenation, reversal and clipping. */
class GradientFlowTest {

  private static Placeholder<TFloat32> input(Ops tf, long... shape) {
    return tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
  }

  private static Operand<TFloat32> weightedSum(Ops tf, Operand<TFloat32> x, float[][] weights) {
    Operand<TFloat32> product = tf.math.mul(x, tf.constant(weights));
    return tf.reduceSum(product, tf.constant(new int[] {0, 1}));
  }

  @Test
  void selectPassesGradientWhereTrue() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = input(tf, 3);
      Operand<TFloat32> kept =
          tf.select(tf.constant(new boolean[] {true, false, true}), x, tf.zerosLike(x));
      Operand<TFloat32> loss =
          tf.reduceSum(tf.math.mul(kept, tf.constant(new float[] {10, 20, 30})), tf.constant(0));
      Output<?> gradient = GradientPaths.addGradients(g, loss, List.of(x))[0];
      try (GraphRunner runner = new GraphRunner(g)) {
        runner.feed(x, 1, 2, 3);
        assertArrayEquals(new float[] {10, 0, 30}, runner.fetch(gradient), "dL/dx through Select");
      }
    }
  }

  @Test
  void concatSplitsGradient() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> a = input(tf, 1, 2);
      Placeholder<TFloat32> b = input(tf, 1, 1);
      Operand<TFloat32> joined = tf.concat(List.of(a, b), tf.constant(1));
      Operand<TFloat32> loss = weightedSum(tf, joined, new float[][] {{1, 2, 3}});
      Output<?>[] gradients = GradientPaths.addGradients(g, loss, List.of(a, b));
      try (GraphRunner runner = new GraphRunner(g)) {
        runner.feed(a, 1, 2).feed(b, 3);
        List<float[]> values = runner.fetch(List.of(gradients));
        assertArrayEquals(new float[] {1, 2}, values.get(0), "dL/da through ConcatV2");
        assertArrayEquals(new float[] {3}, values.get(1), "dL/db through ConcatV2");
      }
    }
  }

  @Test
  void reverseSequenceReversesGradient() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = input(tf, 1, 3);
      Operand<TFloat32> reversed = Rnn.reverseWithinLengths(tf, x, tf.constant(new int[] {2}));
      Operand<TFloat32> loss = weightedSum(tf, reversed, new float[][] {{1, 2, 3}});
      Output<?> gradient = GradientPaths.addGradients(g, loss, List.of(x))[0];
      try (GraphRunner runner = new GraphRunner(g)) {
        runner.feed(x, 1, 2, 3);
        assertArrayEquals(
            new float[] {2, 1, 3}, runner.fetch(gradient), "dL/dx through ReverseSequence");
      }
    }
  }

  @Test
  void infinitePaddingKeepsGradientsFinite() {
    for (boolean backwards : new boolean[] {false, true}) {
      try (Graph g = new Graph()) {
        Ops tf = Ops.create(g);
        ParameterStore store = ParameterStore.forRestore(tf);
        LstmCell cell = LstmCell.create(store, "lstm", 1, 2);
        Placeholder<TFloat32> x = input(tf, 1, 3, 1);
        Operand<TInt32> lengths = tf.constant(new int[] {2});
        Operand<TFloat32> outputs =
            Rnn.of(cell).goBackwards(backwards).apply(tf, x, lengths, 3).outputs();
        Operand<TFloat32> loss = tf.reduceSum(outputs, tf.constant(new int[] {0, 1, 2}));
        List<Operand<?>> parameters = new ArrayList<>(store.variables().values());
        parameters.add(x);
        Output<?>[] gradients = GradientPaths.addGradients(g, loss, parameters);
        try (GraphRunner runner = new GraphRunner(g)) {
          runner.feed(
              store.variables().get("lstm/kernel"), 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f);
          runner.feed(
              store.variables().get("lstm/recurrent_kernel"), Shape.of(2, 8), new float[16]);
          runner.feed(store.variables().get("lstm/bias"), Shape.of(8), new float[8]);
          runner.feed(x, 0.5f, -1f, Float.POSITIVE_INFINITY);
          List<float[]> values = runner.fetch(List.of(gradients));
          String direction = backwards ? "backward" : "forward";
          for (int p = 0; p < values.size(); p++) {
            for (float v : values.get(p)) {
              assertTrue(
                  Float.isFinite(v),
                  direction + " gradient of " + parameters.get(p).op().name() + " is finite");
            }
          }
          float[] inputGradient = values.get(values.size() - 1);
          assertEquals(0f, inputGradient[2], direction + " gradient at the padded step");
          assertTrue(inputGradient[0] != 0f, direction + " gradient at a real step is not 0");
        }
      }
    }
  }

  private static List<float[]> clip(float clipNorm, float[]... gradients) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      List<Operand<TFloat32>> operands = new ArrayList<>();
      for (float[] gradient : gradients) {
        operands.add(tf.constant(gradient));
      }
      GradientClipping.Clipped clipped = GradientClipping.clipByGlobalNorm(tf, operands, clipNorm);
      List<Operand<?>> fetches = new ArrayList<>(clipped.gradients());
      fetches.add(clipped.globalNorm());
      try (GraphRunner runner = new GraphRunner(g)) {
        return runner.fetch(fetches);
      }
    }
  }

  @Test
  void clipScalesAboveThreshold() {
    List<float[]> values = clip(6.5f, new float[] {3, 4}, new float[] {12});
    assertEquals(13f, values.get(2)[0], 1e-5f, "global norm");
    assertArrayEquals(new float[] {1.5f, 2f}, values.get(0), 1e-6f, "clipped g1");
    assertArrayEquals(new float[] {6f}, values.get(1), 1e-6f, "clipped g2");
  }

  @Test
  void clipKeepsGradientsBelowThreshold() {
    List<float[]> values = clip(6.5f, new float[] {3, 4});
    assertArrayEquals(new float[] {3, 4}, values.get(0), "gradient within the bound is unchanged");
  }

  @Test
  void clipTurnsNonFiniteIntoNan() {
    for (float bad : new float[] {Float.POSITIVE_INFINITY, Float.NaN}) {
      List<float[]> values = clip(6.5f, new float[] {3, bad}, new float[] {12});
      for (int i = 0; i < 2; i++) {
        for (float v : values.get(i)) {
          assertTrue(Float.isNaN(v), "every clipped value is NaN when an element is " + bad);
        }
      }
    }
  }

  @Test
  void clipKeepsZeroGradients() {
    List<float[]> values = clip(1f, new float[] {0, 0}, new float[] {0});
    assertArrayEquals(new float[] {0, 0}, values.get(0), "zero gradient stays zero");
    assertArrayEquals(new float[] {0}, values.get(1), "zero gradient stays zero");
    assertEquals(0f, values.get(2)[0], "global norm of zero gradients");
  }
}
