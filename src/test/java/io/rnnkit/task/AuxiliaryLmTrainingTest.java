package io.rnnkit.task;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.Example;
import io.rnnkit.data.TinyCorpus;
import io.rnnkit.data.Vocabulary;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Training a classifier with an auxiliary language-model loss. */
class AuxiliaryLmTrainingTest {

  @Test
  void trainEpoch_trainsLmHead() {
    List<Example> examples = TinyCorpus.examples(24, 5);
    Vocabulary vocabulary = TinyCorpus.vocabulary(examples);
    ModelConfig model =
        ModelConfig.newBuilder().setEmbeddingSize(8).setHiddenSize(8).setLmLossWeight(0.5f).build();
    TrainingConfig training =
        TrainingConfig.newBuilder().setLearningRate(0.01f).setBatchSize(8).build();
    try (ClassifierTask classifier =
        ClassifierTask.create(model, training, vocabulary, List.of("cooking", "sport"))) {
      Map<String, float[]> before = Variables.snapshot(classifier.session());

      classifier.trainEpoch(examples, 0);
      Map<String, float[]> after = Variables.snapshot(classifier.session());

      // lm_head is read by the auxiliary loss alone, so it moves only if that loss trains.
      assertFalse(
          Arrays.equals(before.get("lm_head/kernel"), after.get("lm_head/kernel")),
          "lm_head/kernel trains");
      assertFalse(
          Arrays.equals(before.get("classifier_head/kernel"), after.get("classifier_head/kernel")),
          "classifier_head/kernel trains");
    }
  }
}
