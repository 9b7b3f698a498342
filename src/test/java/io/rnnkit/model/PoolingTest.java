package io.rnnkit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.Pooling;
import io.rnnkit.config.TaskKind;
import io.rnnkit.nn.ParameterStore;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Classifier pooling on a hand-made {@code [3, 3, 2]} output tensor with lengths 2, 3 and 0. */
class PoolingTest {

  // Row 0 has length 2 (step 2 is padding), row 1 length 3, row 2 length 0 (all padding).
  // Padding contains large values so that any leak into a pooled value shows.
  static final float[][][] OUTPUTS = {
    {{1, -2}, {3, -4}, {99, 99}},
    {{-1, 5}, {2, 0}, {6, -3}},
    {{99, 99}, {99, 99}, {99, 99}}
  };
  static final int[] LENGTHS = {2, 3, 0};

  @Test
  void last_takesStepLengthMinusOne() {
    assertArrayEquals(
        new float[] {3, -4, 6, -3, 0, 0},
        pool(Pooling.LAST, false),
        "row 0 step 1, row 1 step 2, length 0 gives 0");
  }

  @Test
  void mean_overRealSteps() {
    assertArrayEquals(
        new float[] {2, -3, 7f / 3, 2f / 3, 0, 0},
        pool(Pooling.MEAN, false),
        "padding is excluded, length 0 gives 0");
  }

  @Test
  void max_overRealSteps() {
    assertArrayEquals(
        new float[] {3, -2, 6, 5, 0, 0},
        pool(Pooling.MAX, false),
        "padding is excluded, length 0 gives 0");
  }

  @Test
  void concat_lastMeanMax() {
    assertArrayEquals(
        new float[] {
          3, -4, 2, -3, 3, -2, //
          6, -3, 7f / 3, 2f / 3, 6, 5, //
          0, 0, 0, 0, 0, 0
        },
        pool(Pooling.CONCAT_POOLING, false),
        "last, mean and max side by side");
  }

  @Test
  void lastBidirectional_forwardLastBackwardFirst() {
    // With hidden size 1, column 0 is the forward half and column 1 the backward half.
    assertArrayEquals(
        new float[] {3, -2, 6, 5, 0, 0},
        pool(Pooling.LAST, true),
        "forward at step length-1, backward at step 0, length 0 gives 0");
  }

  private static float[] pool(Pooling pooling, boolean bidirectional) {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      ModelConfig config =
          ModelConfigs.withDefaults(
              ModelConfig.newBuilder()
                  .setTask(TaskKind.CLASSIFIER)
                  .setNumClasses(2)
                  .setEmbeddingSize(2)
                  .setHiddenSize(bidirectional ? 1 : 2)
                  .setBidirectional(bidirectional)
                  .setPooling(pooling)
                  .build());
      Network network = Network.create(ParameterStore.forRestore(tf), config, 4);
      Operand<TFloat32> outputs = tf.constant(OUTPUTS);
      Operand<TInt32> lengths = tf.constant(LENGTHS);
      return fetch(session, network.pool(tf, outputs, lengths, 3));
    }
  }

  /** Runs {@code output} in {@code session} and returns its values in row-major order. */
  static float[] fetch(Session session, Operand<TFloat32> output) {
    try (Tensor result = session.runner().fetch(output).run().get(0)) {
      TFloat32 values = (TFloat32) result;
      float[] flat = new float[(int) values.size()];
      values.asRawTensor().data().asFloats().read(flat);
      return flat;
    }
  }
}
