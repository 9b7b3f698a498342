package io.rnnkit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.Pooling;
import io.rnnkit.config.TaskKind;
import io.rnnkit.nn.ParameterStore;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** The classifier's optional ReLU layer between the pooled outputs and the logits. */
class HeadHiddenTest {

  @Test
  void classifierLogits_reluLayerBeforeLogits() {
    // Hidden pre-activations are (1, -9), (19/6, -2) and (0.5, -1). The ReLU zeroes the second
    // unit, whose output weights (1, 3) would otherwise change every logit.
    float[] logits =
        logits(
            Map.of(
                "classifier_head/hidden/kernel", new float[][] {{1, -1}, {0.5f, 2}},
                "classifier_head/kernel", new float[][] {{2, 0}, {1, 3}}),
            Map.of(
                "classifier_head/hidden/bias", new float[] {0.5f, -1},
                "classifier_head/bias", new float[] {0, 1}));

    assertArrayEquals(new float[] {2, 1, 19f / 3, 1, 1, 1}, logits, 1e-5f);
  }

  @Test
  void validate_rejectsHiddenHeadOutsideClassifier() {
    ModelConfig tagger = config(TaskKind.TAGGER, 4);
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> ModelConfigs.validate(tagger));
    assertEquals(
        "head_hidden_size applies to a CLASSIFIER only, got 4 for a TAGGER; set it to 0",
        error.getMessage());
  }

  @Test
  void validate_rejectsNegativeSize() {
    ModelConfig negative = config(TaskKind.CLASSIFIER, -1);
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> ModelConfigs.validate(negative));
    assertEquals(
        "head_hidden_size must be 0 (no hidden layer) or positive, got -1", error.getMessage());
  }

  private static ModelConfig config(TaskKind task, int headHiddenSize) {
    return ModelConfigs.withDefaults(
        ModelConfig.newBuilder()
            .setTask(task)
            .setNumClasses(2)
            .setEmbeddingSize(2)
            .setHiddenSize(2)
            .setPooling(Pooling.MEAN)
            .setHeadHiddenSize(headHiddenSize)
            .build());
  }

  private static float[] logits(Map<String, float[][]> kernels, Map<String, float[]> biases) {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      ParameterStore store = ParameterStore.forRestore(tf);
      Network network = Network.create(store, config(TaskKind.CLASSIFIER, 2), 4);
      Map<String, Variable<TFloat32>> variables = store.variables();
      Session.Runner init = session.runner();
      kernels.forEach(
          (name, value) -> init.addTarget(tf.assign(variables.get(name), tf.constant(value))));
      biases.forEach(
          (name, value) -> init.addTarget(tf.assign(variables.get(name), tf.constant(value))));
      init.run();
      // Mean pooling of the pooling test's outputs gives (2, -3), (7/3, 2/3) and (0, 0).
      Operand<TFloat32> logits =
          network.classifierLogits(
              tf, tf.constant(PoolingTest.OUTPUTS), tf.constant(PoolingTest.LENGTHS), 3);
      return PoolingTest.fetch(session, logits);
    }
  }
}
