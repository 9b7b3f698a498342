package io.rnnkit.task;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One and two stacked LSTM layers both learn a text whose next word depends on the two before. */
class StackedLanguageModelTest {

  private static final String[] WORDS = {"a", "b", "c", "d", "e", "f", "g", "h"};

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void trainEpoch_learnsOrderTwoText(int layers) {
    // Word n follows words p and q as n = (3p + 5q) mod 8, except for 1 word in 10 drawn at
    // random, so guessing from word frequencies alone stays near ln 8 = 2.08 nats.
    List<String> tokens = new ArrayList<>();
    Random random = new Random(1);
    int previous = 0;
    int last = 1;
    for (int i = 0; i < 40000; i++) {
      int noise = random.nextInt(10) == 0 ? random.nextInt(8) : 0;
      int next = (previous * 3 + last * 5 + noise) % 8;
      tokens.add(WORDS[next]);
      previous = last;
      last = next;
    }
    Vocabulary vocabulary = Vocabulary.build(List.of(tokens), 1, 0, List.of());
    int[] ids = vocabulary.ids(tokens);
    ModelConfig model =
        ModelConfig.newBuilder()
            .setEmbeddingSize(64)
            .setHiddenSize(128)
            .setNumLayers(layers)
            .build();
    TrainingConfig training =
        TrainingConfig.newBuilder()
            .setLearningRate(0.003f)
            .setBatchSize(32)
            .setBpttSteps(35)
            .setClipNorm(1f)
            .setSeed(1)
            .build();

    double loss = Double.NaN;
    try (LanguageModelTask lm = LanguageModelTask.create(model, training, vocabulary)) {
      for (int epoch = 0; epoch < 4; epoch++) {
        loss = lm.trainEpoch(ids, new int[] {0}).meanLoss();
      }
    }

    assertTrue(loss < 1.2, layers + " layers: fourth-epoch loss " + loss);
  }
}
