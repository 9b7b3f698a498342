package io.rnnkit.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

/** Masked losses, pooling and empty rows. */
class MaskedLossTest {

  @Test
  void maskedMeanCountsRealTokens() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> perToken =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(2, 4)));
      Losses.MaskedLoss loss = Losses.maskedMean(tf, perToken, tf.constant(new int[] {3, 1}), 4);
      Output<?> gradient = GradientPaths.addGradients(g, loss.loss(), List.of(perToken))[0];
      try (GraphRunner runner = new GraphRunner(g)) {
        runner.feed(perToken, 1, 2, 3, 99, 4, Float.NaN, Float.POSITIVE_INFINITY, -7);
        List<float[]> values = runner.fetch(List.of(loss.loss(), loss.count(), gradient));
        float mean = values.get(0)[0];
        assertEquals(2.5f, mean, 1e-6f, "sum of real losses / number of real tokens");
        assertNotEquals(1.25f, mean, "not the mean over all B*T positions");
        assertNotEquals(0.625f, mean, "not divided by B*T twice");
        assertNotEquals(3.0f, mean, "not the mean of the row means");
        assertEquals(Math.exp(2.5), Math.exp(mean), 1e-4, "perplexity e^2.5");
        assertEquals(4f, values.get(1)[0], "real token count");
        float[] grad = values.get(2);
        assertArrayEquals(
            new float[] {0.25f, 0.25f, 0.25f, 0, 0.25f, 0, 0, 0}, grad, "dL/dloss per token");
        assertEquals(0f, grad[3], "gradient at padded position is exactly 0");
        assertEquals(0f, grad[5], "gradient at a NaN-padded position is exactly 0");
      }
    }
  }

  @Test
  void crossEntropy_goldenLossAndGradient() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> logits =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(2, 3)));
      Operand<TFloat32> loss = Losses.crossEntropy(tf, logits, tf.constant(new int[] {2, 0}), 3);
      Output<?> gradient = GradientPaths.addGradients(g, loss, List.of(logits))[0];
      try (GraphRunner runner = new GraphRunner(g)) {
        runner.feed(logits, 1, 2, 3, 0, 0, 0);
        List<float[]> values = runner.fetch(List.of(loss, gradient));
        // Row 0: log(1 + e^-1 + e^-2) = 0.4076060; row 1: log 3 = 1.0986123.
        assertEquals(0.7531091f, values.get(0)[0], 1e-6f, "mean of the two rows' losses");
        // (softmax - onehot) / 2 rows; softmax(1, 2, 3) = (0.0900306, 0.2447285, 0.6652410).
        assertArrayEquals(
            new float[] {0.0450153f, 0.1223642f, -0.1673795f, -1f / 3, 1f / 6, 1f / 6},
            values.get(1),
            1e-6f,
            "gradient of the mean loss");
      }
    }
  }

  @Test
  void sequenceCrossEntropy_paddedTargetOutOfRange() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> logits = tf.constant(new float[][][] {{{1, 2, 3}, {5, 5, 5}}});
      Losses.MaskedLoss loss =
          Losses.sequenceCrossEntropy(
              tf, logits, tf.constant(new int[][] {{2, -1}}), tf.constant(new int[] {1}), 2, 3);
      try (GraphRunner runner = new GraphRunner(g)) {
        float value = runner.fetch(List.of(loss.loss())).get(0)[0];
        assertEquals(0.4076060f, value, 1e-6f, "only the real step counts; -1 is padding");
      }
    }
  }

  @Test
  void emptyBatchHasZeroLoss() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParameterStore store = ParameterStore.forRestore(tf);
      LstmCell cell = LstmCell.create(store, "lstm", 2, 3);
      Dense head = Dense.create(store, "head", 3, 4);
      Operand<TFloat32> inputs = tf.constant(new float[][][] {{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}});
      Operand<TInt32> lengths = tf.constant(new int[] {0, 0});
      RnnOutput<LstmState> out = Rnn.of(cell).apply(tf, inputs, lengths, 2);
      Operand<TFloat32> logits = head.applyToSequence(tf, out.outputs(), 2);
      Operand<TFloat32> loss =
          Losses.sequenceCrossEntropy(
                  tf, logits, tf.constant(new int[][] {{1, 2}, {3, 0}}), lengths, 2, 4)
              .loss();
      List<Operand<?>> variables = List.copyOf(store.variables().values());
      Output<?>[] gradients = GradientPaths.addGradients(g, loss, variables);
      try (GraphRunner runner = new GraphRunner(g)) {
        feedRandom(runner, store);
        List<Operand<?>> fetches = new ArrayList<>(List.of(loss));
        fetches.addAll(List.of(gradients));
        List<float[]> values = runner.fetch(fetches);
        assertEquals(0f, values.get(0)[0], "loss of a batch without real tokens");
        for (int i = 1; i < values.size(); i++) {
          for (float v : values.get(i)) {
            assertEquals(0f, v, "gradient of " + variables.get(i - 1).op().name());
          }
        }
      }
    }
  }

  @Test
  void emptyRowPoolsToZero() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParameterStore store = ParameterStore.forRestore(tf);
      GruCell cell = GruCell.create(store, "gru", 2, 3);
      Placeholder<TFloat32> inputs =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(2, 3, 2)));
      Operand<TInt32> lengths = tf.constant(new int[] {3, 0});
      HiddenState initial =
          new HiddenState(tf.constant(new float[][] {{0, 0, 0}, {0.1f, -0.2f, 0.3f}}));
      RnnOutput<HiddenState> out = Rnn.of(cell).apply(tf, inputs, lengths, 3, initial, null);
      Operand<TFloat32> mean = SequencePooling.mean(tf, out.outputs(), lengths, 3);
      Operand<TFloat32> max = SequencePooling.max(tf, out.outputs(), lengths, 3);
      Operand<TFloat32> last = SequencePooling.last(tf, out.outputs(), lengths);
      Operand<TFloat32> perToken = tf.reduceSum(out.outputs(), tf.constant(2));
      Operand<TFloat32> pooled =
          tf.math.add(
              tf.math.add(
                  tf.reduceSum(mean, tf.constant(new int[] {0, 1})),
                  tf.reduceSum(max, tf.constant(new int[] {0, 1}))),
              tf.reduceSum(last, tf.constant(new int[] {0, 1})));
      Operand<TFloat32> loss =
          tf.math.add(Losses.maskedMean(tf, perToken, lengths, 3).loss(), pooled);
      List<Operand<?>> parameters = new ArrayList<>(store.variables().values());
      parameters.add(inputs);
      Output<?>[] gradients = GradientPaths.addGradients(g, loss, parameters);
      try (GraphRunner runner = new GraphRunner(g)) {
        feedRandom(runner, store);
        runner.feed(inputs, 1, 2, 3, 4, 5, 6, Float.NaN, 1, 2, 3, Float.POSITIVE_INFINITY, 0);
        List<Operand<?>> fetches =
            new ArrayList<>(
                List.of(out.outputs(), out.finalState().hidden(), mean, max, last, loss));
        fetches.addAll(List.of(gradients));
        List<float[]> values = runner.fetch(fetches);
        float[] outputs = values.get(0);
        for (int i = 9; i < 18; i++) {
          assertEquals(0f, outputs[i], "output " + i + " of the empty row");
        }
        float[] state = values.get(1);
        assertArrayEquals(
            new float[] {0.1f, -0.2f, 0.3f},
            new float[] {state[3], state[4], state[5]},
            "empty row keeps its initial state");
        for (int k = 3; k < 6; k++) {
          assertEquals(0f, values.get(2)[k], "mean pooling of the empty row");
          assertEquals(0f, values.get(3)[k], "max pooling of the empty row");
          assertEquals(0f, values.get(4)[k], "last-step pooling of the empty row");
        }
        for (int f = 0; f < values.size(); f++) {
          for (float v : values.get(f)) {
            assertTrue(
                Float.isFinite(v),
                "fetch " + f + " (" + fetches.get(f).op().name() + ") is finite");
          }
        }
        float[] inputGradient = values.get(values.size() - 1);
        for (int i = 6; i < 12; i++) {
          assertEquals(0f, inputGradient[i], "input gradient of the empty row at " + i);
        }
      }
    }
  }

  private static void feedRandom(GraphRunner runner, ParameterStore store) {
    java.util.Random random = new java.util.Random(17);
    store
        .variables()
        .forEach(
            (name, variable) -> {
              float[] values = new float[(int) store.shape(name).size()];
              for (int i = 0; i < values.length; i++) {
                values[i] = (float) (random.nextDouble() - 0.5);
              }
              runner.feed(variable, values);
            });
  }
}
