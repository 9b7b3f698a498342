package io.rnnkit.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.MatmulPrecision;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.Example;
import io.rnnkit.data.TinyCorpus;
import io.rnnkit.data.Vocabulary;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.GraphOperation;
import org.tensorflow.proto.DataType;

/** A tiny language model trained with bfloat16 products keeps float32 state and learns. */
class Bfloat16TrainingTest {

  private static final ModelConfig MODEL =
      ModelConfig.newBuilder()
          .setEmbeddingSize(8)
          .setHiddenSize(12)
          .setMatmulPrecision(MatmulPrecision.BFLOAT16)
          .build();
  private static final TrainingConfig TRAINING =
      TrainingConfig.newBuilder()
          .setLearningRate(0.02f)
          .setBatchSize(4)
          .setBpttSteps(6)
          .setClipNorm(5f)
          .setSeed(7)
          .build();

  @Test
  void trainingLowersLossLikeFloat32() {
    List<Example> examples = TinyCorpus.examples(60, 1);
    Vocabulary vocabulary = TinyCorpus.vocabulary(examples);
    int[][] train = TinyCorpus.stream(examples, vocabulary);
    double[] half = trainThreeEpochs(MODEL, vocabulary, train);
    ModelConfig float32 = MODEL.toBuilder().setMatmulPrecision(MatmulPrecision.FLOAT32).build();
    double[] full = trainThreeEpochs(float32, vocabulary, train);
    assertTrue(Double.isFinite(half[1]), "bfloat16 loss after training is " + half[1]);
    assertTrue(half[1] < half[0] - 0.2, "bfloat16 loss fell from " + half[0] + " to " + half[1]);
    assertTrue(
        Math.abs(half[1] - full[1]) < 0.05,
        "loss after training: bfloat16 " + half[1] + ", float32 " + full[1]);
  }

  @Test
  void variablesAndOptimizerSlotsStayFloat32() {
    List<Example> examples = TinyCorpus.examples(8, 1);
    Vocabulary vocabulary = TinyCorpus.vocabulary(examples);
    try (LanguageModelTask lm = LanguageModelTask.create(MODEL, TRAINING, vocabulary)) {
      int variables = 0;
      int bfloat16Products = 0;
      var operations = lm.session().graph().operations();
      while (operations.hasNext()) {
        GraphOperation op = (GraphOperation) operations.next();
        if (op.type().startsWith("Variable")) {
          // A VariableV2 outputs a reference to its value; the step counter is int64.
          DataType type = op.output(0).dataType();
          assertNotEquals(DataType.DT_BFLOAT16_REF, type, "dtype of " + op.name());
          variables += type == DataType.DT_FLOAT_REF ? 1 : 0;
        }
        if (op.type().equals("MatMul") && op.output(0).dataType() == DataType.DT_BFLOAT16) {
          bfloat16Products++;
        }
      }
      // 6 model variables and Adam's two slots for each.
      assertEquals(18, variables, "float32 variables and optimizer slots");
      assertTrue(bfloat16Products > 0, "the training graph has no bfloat16 MatMul");
    }
  }

  /** Returns the mean training-set loss before and after 3 epochs. */
  private static double[] trainThreeEpochs(
      ModelConfig model, Vocabulary vocabulary, int[][] train) {
    try (LanguageModelTask lm = LanguageModelTask.create(model, TRAINING, vocabulary)) {
      double before = lm.evaluate(train[0], train[1]).meanLoss();
      for (int epoch = 0; epoch < 3; epoch++) {
        lm.trainEpoch(train[0], train[1]);
      }
      return new double[] {before, lm.evaluate(train[0], train[1]).meanLoss()};
    }
  }
}
