package io.rnnkit.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.BpttLanes;
import io.rnnkit.data.Example;
import io.rnnkit.data.TinyCorpus;
import io.rnnkit.data.Vocabulary;
import io.rnnkit.model.ModelConfigs;
import io.rnnkit.train.LanguageModelTrainer;
import io.rnnkit.train.LearningRateSchedule;
import io.rnnkit.train.ModelSession;
import io.rnnkit.train.TrainingConfigs;
import io.rnnkit.train.TrainingPass;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Frozen and unreachable variables of a training session. */
class ModelSessionTest {

  private static final ModelConfig MODEL =
      ModelConfigs.withDefaults(
          ModelConfig.newBuilder()
              .setTask(TaskKind.LANGUAGE_MODEL)
              .setEmbeddingSize(8)
              .setHiddenSize(12)
              .build());
  private static final TrainingConfig TRAINING =
      TrainingConfigs.withDefaults(
          TrainingConfig.newBuilder().setLearningRate(0.05f).setBatchSize(4).setSeed(2).build());

  private final List<Example> examples = TinyCorpus.examples(40, 1);
  private final Vocabulary vocabulary = TinyCorpus.vocabulary(examples);

  @Test
  void trainOnly_frozenVariablesBitIdentical() {
    int[][] stream = TinyCorpus.stream(examples, vocabulary);
    try (ModelSession session = ModelSession.create(MODEL, TRAINING, vocabulary.size())) {
      session.trainOnly(List.of("lm_head/"));
      LanguageModelTrainer trainer =
          new LanguageModelTrainer(session, LearningRateSchedule.constant(0.05f));
      trainer.prepare(6);
      session.start();
      Map<String, float[]> before = Variables.snapshot(session);
      TrainingPass pass = trainer.startPass(new BpttLanes(stream[0], stream[1], 4), 6, 5);
      while (pass.hasNext()) {
        pass.next();
      }
      Map<String, float[]> after = Variables.snapshot(session);
      for (String name : List.of("embedding/embeddings", "lstm/kernel", "lstm/bias")) {
        assertArrayEquals(before.get(name), after.get(name), name + " stays frozen");
      }
      assertFalse(
          Arrays.equals(before.get("lm_head/kernel"), after.get("lm_head/kernel")),
          "the trained head changes");
    }
  }

  @Test
  void unreachableVariables_namedBeforeTraining() {
    try (ModelSession session = ModelSession.create(MODEL, TRAINING, vocabulary.size())) {
      var tf = session.ops();
      var bias = session.store().variables().get("lm_head/bias");
      var loss = tf.math.mean(tf.math.square(bias), tf.constant(0));
      var error =
          assertThrows(
              IllegalArgumentException.class,
              () -> session.buildUpdate(loss),
              "a loss of the head bias alone");
      assertTrue(error.getMessage().contains("embedding/embeddings"), error.getMessage());
      assertTrue(error.getMessage().contains("lstm/kernel"), error.getMessage());
      assertFalse(error.getMessage().contains("lm_head/bias"), error.getMessage());
    }
  }
}
