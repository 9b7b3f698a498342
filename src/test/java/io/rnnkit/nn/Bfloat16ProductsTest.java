package io.rnnkit.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.MatmulPrecision;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Layers with bfloat16 products against the same layers in float32, on shared weights.
 *
 * <p>Error bound. bfloat16 keeps 8 significant bits and TensorFlow's Cast rounds to nearest, so
 * each cast has a relative error of at most {@code u = 2^-8}. A product {@code s = sum_k a_k b_k}
 * with both operands cast, accumulated in float32 and rounded once more to bfloat16, therefore
 * differs from the float32 product by at most {@code ((1 + u)^3 - 1) S}, where {@code S = sum_k
 * |a_k| |b_k|}. Both float32 accumulations add at most {@code K 2^-24 S} each, and the float32 ops
 * around the product ({@code +}, sigmoid, tanh) at most {@link #ABSOLUTE_SLACK}. The cell bounds
 * carry this through the gates with {@code |sigmoid'| <= 1/4} and {@code |tanh'| <= 1}.
 */
class Bfloat16ProductsTest {

  /** Unit roundoff of bfloat16 with round-to-nearest: half an ulp of 1 with 8 significant bits. */
  private static final double U = Math.pow(2, -8);

  private static final double PRODUCT_FACTOR = Math.pow(1 + U, 3) - 1;
  private static final double FLOAT32_EPSILON = Math.pow(2, -24);
  private static final double ABSOLUTE_SLACK = 1e-6;

  private static final int BATCH = 5;
  private final Random random = new Random(42);

  @Test
  void denseOutputsWithinRoundingBound() {
    int in = 64;
    int out = 7;
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Dense full = Dense.create(ParameterStore.forTraining(tf, 1), "dense", in, out);
      Dense half = full.withMatmulPrecision(MatmulPrecision.BFLOAT16);
      Placeholder<TFloat32> x = placeholder(tf, in);
      float[] xs = uniform(BATCH * in);
      float[] w = uniform(in * out);
      float[] b = uniform(out);
      try (GraphRunner runner = new GraphRunner(graph)) {
        runner.feed(full.kernel(), w).feed(full.bias(), b).feed(x, Shape.of(BATCH, in), xs);
        List<float[]> y = runner.fetch(List.of(full.apply(tf, x), half.apply(tf, x)));
        double[] s = absProduct(xs, w, BATCH, in, out);
        assertWithinBound(y.get(0), y.get(1), productBounds(s, in), "dense output");
        assertTrue(maxDifference(y.get(0), y.get(1)) > 0, "bfloat16 output equals float32 exactly");
      }
    }
  }

  @Test
  void denseKernelGradientFloat32AndWithinBound() {
    int in = 48;
    int out = 6;
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Dense full = Dense.create(ParameterStore.forTraining(tf, 1), "dense", in, out);
      Dense half = full.withMatmulPrecision(MatmulPrecision.BFLOAT16);
      Placeholder<TFloat32> x = placeholder(tf, in);
      Placeholder<TFloat32> upstream = placeholder(tf, out);
      // loss = sum(y * upstream), so d loss / d kernel = x^T upstream.
      Output<?>[] fullGradients = gradients(graph, tf, full.apply(tf, x), upstream, full);
      Output<?>[] halfGradients = gradients(graph, tf, half.apply(tf, x), upstream, full);
      for (Output<?> gradient : halfGradients) {
        assertEquals(DataType.DT_FLOAT, gradient.dataType(), "dtype of " + gradient.op().name());
      }
      float[] xs = uniform(BATCH * in);
      float[] g = uniform(BATCH * out);
      try (GraphRunner runner = new GraphRunner(graph)) {
        runner.feed(full.kernel(), uniform(in * out)).feed(full.bias(), uniform(out));
        runner.feed(x, Shape.of(BATCH, in), xs).feed(upstream, Shape.of(BATCH, out), g);
        List<float[]> values =
            runner.fetch(
                List.of(fullGradients[0], halfGradients[0], fullGradients[1], halfGradients[1]));
        double[] s = absProduct(transpose(xs, BATCH, in), g, in, BATCH, out);
        assertAllFinite(values.get(1), "bfloat16 kernel gradient");
        assertWithinBound(values.get(0), values.get(1), productBounds(s, BATCH), "kernel gradient");
        assertTrue(
            maxDifference(values.get(0), values.get(1)) > 0,
            "bfloat16 kernel gradient equals float32 exactly");
        assertWithinBound(
            values.get(2), values.get(3), new double[out], "bias gradient (no product)");
      }
    }
  }

  @Test
  void lstmStepWithinRoundingBound() {
    int in = 24;
    int h = 6;
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      LstmCell full = LstmCell.create(ParameterStore.forTraining(tf, 1), "lstm", in, h);
      LstmCell half = full.withMatmulPrecision(MatmulPrecision.BFLOAT16);
      Placeholder<TFloat32> x = placeholder(tf, in);
      Placeholder<TFloat32> h0 = placeholder(tf, h);
      Placeholder<TFloat32> c0 = placeholder(tf, h);
      LstmState start = new LstmState(h0, c0);
      LstmState fullState = full.step(tf, full.projectInputs(tf, x), start, null).state();
      LstmState halfState = half.step(tf, half.projectInputs(tf, x), start, null).state();
      float[] xs = uniform(BATCH * in);
      float[] hs = uniform(BATCH * h);
      float[] cs = uniform(BATCH * h);
      float[] kernel = uniform(in * 4 * h);
      float[] recurrent = uniform(h * 4 * h);
      try (GraphRunner runner = new GraphRunner(graph)) {
        runner.feed(full.kernel(), kernel).feed(full.recurrentKernel(), recurrent);
        runner.feed(full.bias(), uniform(4 * h)).feed(x, Shape.of(BATCH, in), xs);
        runner.feed(h0, Shape.of(BATCH, h), hs).feed(c0, Shape.of(BATCH, h), cs);
        List<float[]> y =
            runner.fetch(
                List.of(
                    fullState.hidden(), halfState.hidden(), fullState.cell(), halfState.cell()));
        double[] ez = gateBounds(xs, kernel, hs, recurrent, in, h, 4 * h);
        double[] cellBound = new double[BATCH * h];
        double[] hiddenBound = new double[BATCH * h];
        for (int r = 0; r < BATCH; r++) {
          for (int j = 0; j < h; j++) {
            int row = r * 4 * h;
            double input = ez[row + j] / 4;
            double forget = ez[row + h + j] / 4;
            double candidate = ez[row + 2 * h + j];
            double output = ez[row + 3 * h + j] / 4;
            // c' = f c + i c~ with |i|, |c~| <= 1; h' = o tanh(c') with |o|, |tanh| <= 1.
            cellBound[r * h + j] = Math.abs(cs[r * h + j]) * forget + input + candidate;
            hiddenBound[r * h + j] = output + cellBound[r * h + j] + ABSOLUTE_SLACK;
            cellBound[r * h + j] += ABSOLUTE_SLACK;
          }
        }
        assertWithinBound(y.get(0), y.get(1), hiddenBound, "LSTM hidden state");
        assertWithinBound(y.get(2), y.get(3), cellBound, "LSTM cell state");
        assertTrue(maxDifference(y.get(0), y.get(1)) > 0, "bfloat16 LSTM equals float32 exactly");
      }
    }
  }

  @Test
  void simpleRnnStepWithinRoundingBound() {
    int in = 32;
    int h = 8;
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      SimpleRnnCell full = SimpleRnnCell.create(ParameterStore.forTraining(tf, 1), "rnn", in, h);
      SimpleRnnCell half = full.withMatmulPrecision(MatmulPrecision.BFLOAT16);
      Placeholder<TFloat32> x = placeholder(tf, in);
      Placeholder<TFloat32> h0 = placeholder(tf, h);
      HiddenState start = new HiddenState(h0);
      Operand<TFloat32> fullOut = full.step(tf, full.projectInputs(tf, x), start, null).output();
      Operand<TFloat32> halfOut = half.step(tf, half.projectInputs(tf, x), start, null).output();
      float[] xs = uniform(BATCH * in);
      float[] hs = uniform(BATCH * h);
      float[] kernel = uniform(in * h);
      float[] recurrent = uniform(h * h);
      try (GraphRunner runner = new GraphRunner(graph)) {
        runner.feed(full.kernel(), kernel).feed(full.recurrentKernel(), recurrent);
        runner.feed(full.bias(), uniform(h)).feed(x, Shape.of(BATCH, in), xs);
        runner.feed(h0, Shape.of(BATCH, h), hs);
        List<float[]> y = runner.fetch(List.of(fullOut, halfOut));
        // tanh is 1-Lipschitz, so the pre-activation bound holds for the output.
        double[] bound = gateBounds(xs, kernel, hs, recurrent, in, h, h);
        for (int i = 0; i < bound.length; i++) {
          bound[i] += ABSOLUTE_SLACK;
        }
        assertWithinBound(y.get(0), y.get(1), bound, "simple RNN output");
        assertTrue(maxDifference(y.get(0), y.get(1)) > 0, "bfloat16 RNN equals float32 exactly");
      }
    }
  }

  @Test
  void encoderPutsEveryProductInBfloat16() {
    int steps = 3;
    for (CellType cell : CellType.values()) {
      for (boolean bidirectional : new boolean[] {false, true}) {
        int directions = bidirectional ? 2 : 1;
        String label = cell + (bidirectional ? " bidirectional" : "");
        MatMulCounts half = countEncoderMatMuls(cell, bidirectional, MatmulPrecision.BFLOAT16);
        MatMulCounts full = countEncoderMatMuls(cell, bidirectional, MatmulPrecision.FLOAT32);
        // One input projection for all steps plus one recurrent product per step and direction;
        // GRU without resetAfter is not built here (the encoder default is resetAfter).
        int expected = directions * (steps + 1);
        assertEquals(expected, half.bfloat16(), "bfloat16 MatMuls of " + label);
        assertEquals(0, half.float32(), "float32 MatMuls left in the bfloat16 " + label);
        assertEquals(expected, full.float32(), "float32 MatMuls of " + label);
        assertEquals(0, full.bfloat16(), "bfloat16 MatMuls in the float32 " + label);
      }
    }
  }

  @Test
  void sampledSoftmaxProductInBfloat16() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Dense head =
          Dense.create(ParameterStore.forTraining(tf, 1), "lm_head", 4, 20)
              .withMatmulPrecision(MatmulPrecision.BFLOAT16);
      Placeholder<TFloat32> outputs =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3, 4)));
      Placeholder<TInt32> targets =
          tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, 3)));
      Placeholder<TInt32> lengths = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TInt32> sampled = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TFloat32> sampledLogQ =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TFloat32> targetLogQ =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
      Losses.sampledSequenceCrossEntropy(
          tf, outputs, head, targets, lengths, 3, sampled, sampledLogQ, targetLogQ);
      MatMulCounts counts = countMatMuls(graph);
      assertEquals(1, counts.bfloat16(), "bfloat16 MatMuls of the sampled softmax");
      assertEquals(0, counts.float32(), "float32 MatMuls of the sampled softmax");
    }
  }

  @Test
  void unknownPrecisionRejected() {
    try (Graph graph = new Graph()) {
      Dense dense = Dense.create(ParameterStore.forTraining(Ops.create(graph), 1), "dense", 2, 2);
      IllegalArgumentException error =
          assertThrows(
              IllegalArgumentException.class,
              () -> dense.withMatmulPrecision(MatmulPrecision.UNRECOGNIZED));
      assertEquals(
          "matmulPrecision must be FLOAT32 or BFLOAT16, got UNRECOGNIZED",
          error.getMessage(),
          "message of an unknown precision");
    }
  }

  private record MatMulCounts(int float32, int bfloat16) {}

  private static MatMulCounts countEncoderMatMuls(
      CellType cell, boolean bidirectional, MatmulPrecision precision) {
    int steps = 3;
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      RecurrentEncoder.Spec spec = RecurrentEncoder.Spec.of(cell, 4, 5, 1, bidirectional);
      RecurrentEncoder encoder =
          RecurrentEncoder.create(ParameterStore.forTraining(tf, 1), spec, precision);
      Placeholder<TFloat32> inputs =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, steps, 4)));
      Placeholder<TInt32> lengths = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      encoder.apply(tf, inputs, lengths, steps);
      return countMatMuls(graph);
    }
  }

  private static MatMulCounts countMatMuls(Graph graph) {
    int float32 = 0;
    int bfloat16 = 0;
    var operations = graph.operations();
    while (operations.hasNext()) {
      GraphOperation op = (GraphOperation) operations.next();
      if (op.type().equals("MatMul")) {
        DataType type = op.output(0).dataType();
        float32 += type == DataType.DT_FLOAT ? 1 : 0;
        bfloat16 += type == DataType.DT_BFLOAT16 ? 1 : 0;
      }
    }
    return new MatMulCounts(float32, bfloat16);
  }

  private static Output<?>[] gradients(
      Graph graph, Ops tf, Operand<TFloat32> y, Operand<TFloat32> upstream, Dense layer) {
    Operand<TFloat32> loss = tf.reduceSum(tf.math.mul(y, upstream), tf.constant(new int[] {0, 1}));
    return graph.addGradients(
        loss.asOutput(), new Output<?>[] {layer.kernel().asOutput(), layer.bias().asOutput()});
  }

  private static Placeholder<TFloat32> placeholder(Ops tf, int columns) {
    return tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, columns)));
  }

  private float[] uniform(int count) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = 2 * random.nextFloat() - 1;
    }
    return values;
  }

  /** Returns {@code |a| |b|} for row-major {@code a [m, k]} and {@code b [k, n]}. */
  private static double[] absProduct(float[] a, float[] b, int m, int k, int n) {
    double[] s = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        for (int p = 0; p < k; p++) {
          s[i * n + j] += Math.abs(a[i * k + p]) * Math.abs(b[p * n + j]);
        }
      }
    }
    return s;
  }

  private static float[] transpose(float[] a, int rows, int columns) {
    float[] t = new float[a.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < columns; c++) {
        t[c * rows + r] = a[r * columns + c];
      }
    }
    return t;
  }

  /** Returns the bound of each element of a product with sums {@code s} of {@code k} terms. */
  private static double[] productBounds(double[] s, int k) {
    double[] bound = new double[s.length];
    for (int i = 0; i < s.length; i++) {
      bound[i] = (PRODUCT_FACTOR + 2 * k * FLOAT32_EPSILON) * s[i] + ABSOLUTE_SLACK;
    }
    return bound;
  }

  /** Returns the bound of each pre-activation {@code x kernel + h recurrent + bias}. */
  private static double[] gateBounds(
      float[] x, float[] kernel, float[] h, float[] recurrent, int in, int hidden, int gates) {
    double[] input = productBounds(absProduct(x, kernel, BATCH, in, gates), in);
    double[] state = productBounds(absProduct(h, recurrent, BATCH, hidden, gates), hidden);
    double[] sum = new double[input.length];
    for (int i = 0; i < sum.length; i++) {
      sum[i] = input[i] + state[i];
    }
    return sum;
  }

  private static void assertWithinBound(
      float[] expected, float[] actual, double[] bound, String what) {
    assertEquals(expected.length, actual.length, what + ": element count");
    for (int i = 0; i < expected.length; i++) {
      double difference = Math.abs(expected[i] - actual[i]);
      assertTrue(
          difference <= bound[i],
          what + " element " + i + " differs by " + difference + ", bound " + bound[i]);
    }
  }

  private static void assertAllFinite(float[] values, String what) {
    for (int i = 0; i < values.length; i++) {
      assertTrue(Float.isFinite(values[i]), what + " element " + i + " is " + values[i]);
    }
  }

  private static double maxDifference(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
