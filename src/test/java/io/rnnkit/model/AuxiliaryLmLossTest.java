package io.rnnkit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.Pooling;
import io.rnnkit.config.TaskKind;
import io.rnnkit.nn.ParameterStore;
import io.rnnkit.transfer.LayerGroups;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** The classifier's auxiliary language-model loss and its {@code lm_head}. */
class AuxiliaryLmLossTest {

  private static final float[][] KERNEL = {{1, 0, -1}, {0, 2, 1}};
  private static final float[] BIAS = {0, 0.5f, 0};
  private static final int[][] IDS = {{0, 2, 1}, {1, 1, 2}, {0, 0, 0}};

  @Test
  void loss_meansNextTokenCrossEntropy() {
    // Row 0 (length 2) predicts id 2 from output (1, -2): logits (1, -3.5, -3). Row 1 (length 3)
    // predicts id 1 from (-1, 5): logits (-1, 10.5, 6), and id 2 from (2, 0): logits (2, 0.5, -2).
    // Row 0's last output, the 99s of padding and row 2 (length 0) predict nothing.
    double expected =
        (crossEntropy(new double[] {1, -3.5, -3}, 2)
                + crossEntropy(new double[] {-1, 10.5, 6}, 1)
                + crossEntropy(new double[] {2, 0.5, -2}, 2))
            / 3;

    assertEquals(expected, loss(PoolingTest.OUTPUTS, false, 3), 1e-5);
  }

  @Test
  void loss_bidirectionalReadsForwardHalfOnly() {
    float[][][] outputs = new float[3][3][4];
    for (int b = 0; b < 3; b++) {
      for (int t = 0; t < 3; t++) {
        outputs[b][t] =
            new float[] {PoolingTest.OUTPUTS[b][t][0], PoolingTest.OUTPUTS[b][t][1], 50, -50};
      }
    }

    assertEquals(loss(PoolingTest.OUTPUTS, false, 3), loss(outputs, true, 3), 1e-6);
  }

  @Test
  void loss_singleStepPredictsNothing() {
    float[][][] outputs = {{{1, -2}}, {{-1, 5}}};

    assertEquals(0.0, loss(outputs, false, 1), 0.0);
  }

  @Test
  void layerGroups_headGroupTrainsLmHead() {
    try (Graph graph = new Graph()) {
      Network network =
          Network.create(ParameterStore.forRestore(Ops.create(graph)), config(false, 0.5f), 3);

      assertEquals(
          List.of("classifier_head/", "lm_head/"), LayerGroups.of(network).get(2).prefixes());
    }
  }

  @Test
  void validate_rejectsWeightOutsideClassifier() {
    ModelConfig languageModel =
        config(false, 0.5f).toBuilder().setTask(TaskKind.LANGUAGE_MODEL).build();
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> ModelConfigs.validate(languageModel));
    assertEquals(
        "lm_loss_weight applies to a CLASSIFIER only, got 0.5 for a LANGUAGE_MODEL; set it to 0",
        error.getMessage());
  }

  @Test
  void validate_rejectsNegativeAndNaNWeights() {
    for (float weight : new float[] {-0.1f, Float.NaN, Float.POSITIVE_INFINITY}) {
      IllegalArgumentException error =
          assertThrows(
              IllegalArgumentException.class,
              () -> ModelConfigs.validate(config(false, weight)),
              "weight " + weight);
      assertTrue(
          error.getMessage().startsWith("lm_loss_weight must be 0 (no auxiliary loss)"),
          error.getMessage());
    }
  }

  @Test
  void loss_withoutLmHeadFails() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Network network = Network.create(ParameterStore.forRestore(tf), config(false, 0f), 3);
      assertThrows(
          IllegalStateException.class,
          () ->
              network.auxiliaryLmLoss(
                  tf,
                  tf.constant(PoolingTest.OUTPUTS),
                  tf.constant(IDS),
                  tf.constant(PoolingTest.LENGTHS),
                  3));
    }
  }

  private static double crossEntropy(double[] logits, int target) {
    double max = Double.NEGATIVE_INFINITY;
    for (double logit : logits) {
      max = Math.max(max, logit);
    }
    double sum = 0;
    for (double logit : logits) {
      sum += Math.exp(logit - max);
    }
    return max + Math.log(sum) - logits[target];
  }

  private static ModelConfig config(boolean bidirectional, float weight) {
    return ModelConfigs.withDefaults(
        ModelConfig.newBuilder()
            .setTask(TaskKind.CLASSIFIER)
            .setNumClasses(2)
            .setEmbeddingSize(2)
            .setHiddenSize(2)
            .setBidirectional(bidirectional)
            .setPooling(Pooling.MEAN)
            .setLmLossWeight(weight)
            .build());
  }

  private static double loss(float[][][] outputs, boolean bidirectional, int steps) {
    int[][] ids = new int[outputs.length][steps];
    int[] lengths = new int[outputs.length];
    for (int b = 0; b < outputs.length; b++) {
      System.arraycopy(IDS[b], 0, ids[b], 0, steps);
      lengths[b] = Math.min(PoolingTest.LENGTHS[b], steps);
    }
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      ParameterStore store = ParameterStore.forRestore(tf);
      Network network = Network.create(store, config(bidirectional, 0.5f), 3);
      Map<String, Variable<TFloat32>> variables = store.variables();
      session
          .runner()
          .addTarget(tf.assign(variables.get("lm_head/kernel"), tf.constant(KERNEL)))
          .addTarget(tf.assign(variables.get("lm_head/bias"), tf.constant(BIAS)))
          .run();
      Operand<TFloat32> loss =
          network.auxiliaryLmLoss(
              tf, tf.constant(outputs), tf.constant(ids), tf.constant(lengths), steps);
      return PoolingTest.fetch(session, loss)[0];
    }
  }
}
