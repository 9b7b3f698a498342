package io.rnnkit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import io.rnnkit.nn.Losses;
import io.rnnkit.nn.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Padding a batch to more time steps changes no output, loss or gradient of real tokens. */
class PaddingInvarianceTest {

  private static final ModelConfig CONFIG =
      ModelConfigs.withDefaults(
          ModelConfig.newBuilder()
              .setTask(TaskKind.LANGUAGE_MODEL)
              .setEmbeddingSize(5)
              .setHiddenSize(7)
              .setNumLayers(2)
              .build());

  @Test
  void languageModel_extraPadding_sameLossAndGradients() {
    int[][] shortIds = {{3, 4, 5}, {6, 2, 0}};
    int[][] shortTargets = {{4, 5, 6}, {2, 7, 0}};
    int[] lengths = {3, 2};
    int[][] longIds = {{3, 4, 5, 0, 0, 0}, {6, 2, 0, 0, 0, 0}};
    int[][] longTargets = {{4, 5, 6, 0, 0, 0}, {2, 7, 0, 0, 0, 0}};
    float[][] shortRun = run(shortIds, shortTargets, lengths, 3);
    float[][] longRun = run(longIds, longTargets, lengths, 6);
    assertEquals(shortRun.length, longRun.length, "same number of fetched values");
    for (int i = 0; i < shortRun.length; i++) {
      assertArrayEquals(shortRun[i], longRun[i], 1e-6f, "fetch " + i + " (0 = loss, then grads)");
    }
  }

  /** Returns the loss, then the flattened gradient of every variable. */
  private static float[][] run(int[][] ids, int[][] targets, int[] lengths, int steps) {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      ParameterStore store = ParameterStore.forTraining(tf, 11);
      Network network = Network.create(store, CONFIG, 8);
      Operand<TInt32> lengthOperand = tf.constant(lengths);
      Network.Encoded encoded = network.encode(tf, tf.constant(ids), lengthOperand, steps);
      Operand<TFloat32> logits = network.languageModelLogits(tf, encoded.outputs(), steps);
      Losses.MaskedLoss loss =
          Losses.sequenceCrossEntropy(tf, logits, tf.constant(targets), lengthOperand, steps, 8);
      Output<?>[] variables =
          store.variables().values().stream().map(v -> v.asOutput()).toArray(Output<?>[]::new);
      Output<?>[] gradients = graph.addGradients(loss.loss().asOutput(), variables);
      try (Session session = new Session(graph)) {
        session.initialize();
        Session.Runner runner = session.runner().fetch(loss.loss());
        for (Output<?> gradient : gradients) {
          runner.fetch(gradient);
        }
        try (Result result = runner.run()) {
          List<float[]> values = new ArrayList<>();
          for (int i = 0; i < result.size(); i++) {
            TFloat32 tensor = (TFloat32) result.get(i);
            float[] flat = new float[(int) tensor.shape().size()];
            tensor.asRawTensor().data().asFloats().read(flat);
            values.add(flat);
          }
          return values.toArray(float[][]::new);
        }
      }
    }
  }
}
