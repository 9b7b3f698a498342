package io.rnnkit.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.rnnkit.train.LogUniformSampler;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class SampledSoftmaxTest {

  private static final float[] KERNEL = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, -0.6f, 0.7f, -0.8f};
  private static final float[] BIAS = {0.01f, 0.02f, 0.03f, 0.04f};

  /** Logit of class {@code k} for hidden row {@code h}: {@code h . kernel[:, k] + bias[k]}. */
  private static double logit(double[] h, int k) {
    return h[0] * KERNEL[k] + h[1] * KERNEL[4 + k] + BIAS[k];
  }

  private static double logSumExp(double... values) {
    double max = Arrays.stream(values).max().orElseThrow();
    return max + Math.log(Arrays.stream(values).map(v -> Math.exp(v - max)).sum());
  }

  @Test
  void lossEqualsHandComputationWithAnAccidentalHit() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParameterStore store = ParameterStore.forTraining(tf, 1);
      Dense head = Dense.create(store, "lm_head", 2, 4);
      Operand<TFloat32> outputs =
          tf.constant(Shape.of(1, 2, 2), DataBuffers.of(new float[] {1f, 2f, 0.5f, -1f}));
      Losses.MaskedLoss loss =
          Losses.sampledSequenceCrossEntropy(
              tf,
              outputs,
              head,
              tf.constant(new int[][] {{1, 3}}),
              tf.constant(new int[] {2}),
              2,
              tf.constant(new int[] {3, 0}),
              tf.constant(new float[] {-0.5f, -1f}),
              tf.constant(new float[][] {{-0.7f, -0.2f}}));
      Operand<?> biasGradient =
          g.addGradients(
                  loss.loss().asOutput(), new org.tensorflow.Output<?>[] {head.bias().asOutput()})[
              0];
      try (GraphRunner runner = new GraphRunner(g)) {
        runner.feed(head.kernel(), KERNEL).feed(head.bias(), BIAS);
        List<float[]> got = runner.fetch(List.of(loss.loss(), biasGradient));
        double[] h0 = {1, 2};
        double[] h1 = {0.5, -1};
        // Row 0: target 1, no hit; logits minus log Q.
        double t0 = logit(h0, 1) + 0.7;
        double loss0 = -t0 + logSumExp(t0, logit(h0, 3) + 0.5, logit(h0, 0) + 1.0);
        // Row 1: target 3 is also sampled, so that sampled column is removed.
        double t1 = logit(h1, 3) + 0.2;
        double loss1 = -t1 + logSumExp(t1, logit(h1, 0) + 1.0);
        assertEquals((loss0 + loss1) / 2, got.get(0)[0], 1e-5, "mean sampled cross-entropy");
        assertEquals(0f, got.get(1)[2], 0f, "class 2 is neither a target nor sampled: no gradient");
        assertNotEquals(0f, got.get(1)[0], "sampled class 0 gets a gradient");
      }
    }
  }

  @Test
  void samplerDrawsDistinctClassesWithTheirExpectedCounts() {
    LogUniformSampler sampler = new LogUniformSampler(1000, 50, 9);
    LogUniformSampler.Sample sample = sampler.draw(new int[][] {{0, 999}});
    assertEquals(50, Arrays.stream(sample.ids()).distinct().count(), "50 distinct classes");
    double sum = 0;
    for (int k = 0; k < 1000; k++) {
      sum += sampler.probability(k);
    }
    assertEquals(1.0, sum, 1e-9, "probabilities sum to 1");
    int id = sample.ids()[0];
    double expected = 1 - Math.pow(1 - sampler.probability(id), sample.draws());
    assertEquals(Math.log(expected), sample.logQ()[0], 1e-5, "log expected count of a sample");
    assertEquals(
        Math.log(1 - Math.pow(1 - sampler.probability(999), sample.draws())),
        sample.targetLogQ()[0][1],
        1e-5,
        "log expected count of a target");
  }
}
