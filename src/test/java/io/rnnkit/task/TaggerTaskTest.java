package io.rnnkit.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.Example;
import io.rnnkit.data.TinyCorpus;
import io.rnnkit.data.Vocabulary;
import io.rnnkit.train.ModelFiles;
import io.rnnkit.train.RunOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaggerTaskTest {

  private static final List<String> NOUNS = List.of("ball", "goal", "team", "oven", "bread");
  private static final List<String> VERBS = List.of("runs", "bakes", "wins", "eats", "kicks");
  private static final List<String> DETERMINERS = List.of("the", "a", "every");

  @TempDir Path folder;

  /** Sentences of determiner-noun-verb groups; each word's tag follows from the word alone. */
  private static List<Example> sentences(int count, long seed) {
    Random random = new Random(seed);
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      List<String> tokens = new ArrayList<>();
      List<String> tags = new ArrayList<>();
      int groups = 1 + random.nextInt(3);
      for (int g = 0; g < groups; g++) {
        tokens.add(DETERMINERS.get(random.nextInt(DETERMINERS.size())));
        tags.add("at");
        tokens.add(NOUNS.get(random.nextInt(NOUNS.size())));
        tags.add(g == 0 ? "nn-tl" : "nn");
        tokens.add(VERBS.get(random.nextInt(VERBS.size())));
        tags.add("vbz");
      }
      examples.add(new Example(i, tokens, null, tags.stream().map(TaggerTask::baseTag).toList()));
    }
    return examples;
  }

  @Test
  void fit_separableTagsAboveNinetyPercent() throws Exception {
    List<Example> train = sentences(80, 1);
    List<Example> validation = sentences(20, 2);
    Vocabulary vocabulary = TinyCorpus.vocabulary(train);
    ModelConfig model =
        ModelConfig.newBuilder()
            .setEmbeddingSize(8)
            .setHiddenSize(12)
            .setBidirectional(true)
            .setMaxLength(9)
            .build();
    TrainingConfig training =
        TrainingConfig.newBuilder()
            .setLearningRate(0.05f)
            .setBatchSize(8)
            .setSeed(3)
            .setEpochs(4)
            .addBucketBoundaries(6)
            .build();
    List<String> tags = List.of("at", "nn", "vbz");
    try (TaggerTask tagger = TaggerTask.create(model, training, vocabulary, tags)) {
      double before = tagger.evaluate(validation).accuracy();
      RunOptions options = RunOptions.fromConfig(folder.resolve("run"), training).quiet();
      var outcome = tagger.fit(train, validation, options);
      double after = tagger.evaluate(validation).accuracy();
      assertTrue(after > 0.9, "token accuracy " + before + " -> " + after);
      assertEquals(after, outcome.bestMetric(), 1e-12, "the best checkpoint's weights are loaded");
      assertEquals(
          validation.get(0).tags(),
          tagger.predict(validation).get(0),
          "predicted tags of the first sentence");
      tagger.save(folder.resolve("tagger"));
    }
    assertEquals(
        tags, Files.readAllLines(folder.resolve("tagger").resolve(TaggerTask.TAGS)), "tags.txt");
    assertTrue(
        Files.isRegularFile(folder.resolve("tagger/checkpoint/variables.index")), "checkpoint");
    assertTrue(
        Files.readString(folder.resolve("tagger").resolve(ModelFiles.CONFIG)).contains("TAGGER"),
        "model config names the task");
  }

  @Test
  void fit_sentencesPastMaxLengthTaggedWhole() throws Exception {
    List<Example> train = sentences(80, 1);
    List<Example> validation = sentences(20, 2);
    List<String> longTokens = new ArrayList<>();
    List<String> longTags = new ArrayList<>();
    for (int g = 0; g < 5; g++) {
      longTokens.addAll(List.of("the", NOUNS.get(g), VERBS.get(g)));
      longTags.addAll(List.of("at", "nn", "vbz"));
    }
    Example longSentence = new Example(99, longTokens, null, longTags);
    Vocabulary vocabulary = TinyCorpus.vocabulary(train);
    ModelConfig model =
        ModelConfig.newBuilder()
            .setEmbeddingSize(8)
            .setHiddenSize(12)
            .setBidirectional(true)
            .setMaxLength(4)
            .build();
    TrainingConfig training =
        TrainingConfig.newBuilder()
            .setLearningRate(0.05f)
            .setBatchSize(8)
            .setSeed(3)
            .setEpochs(4)
            .build();
    try (TaggerTask tagger =
        TaggerTask.create(model, training, vocabulary, List.of("at", "nn", "vbz"))) {
      tagger.fit(train, validation, RunOptions.fromConfig(folder.resolve("run"), training).quiet());
      List<String> predicted = tagger.predict(List.of(longSentence)).get(0);
      assertEquals(15, predicted.size(), "a 15-token sentence read in pieces of 4 gets 15 tags");
      assertEquals(longTags, predicted, "tags of every piece, in order");
      TaggerTask.TagEvaluation evaluation = tagger.evaluate(List.of(longSentence));
      assertEquals(15, evaluation.total(), "tokens counted");
      assertEquals(15, evaluation.correct(), "tokens tagged right");
    }
  }

  @Test
  void baseTag_stripsBrownModifiers() {
    assertEquals("nn", TaggerTask.baseTag("fw-nn-tl"), "foreign word in a title");
    assertEquals("np$", TaggerTask.baseTag("np$-hl"), "headline");
    assertEquals("ppss+bem", TaggerTask.baseTag("ppss+bem-nc"), "cited contraction");
    assertEquals("at", TaggerTask.baseTag("at"), "plain tag");
  }

  @Test
  void unknownTrainingTag_namesTagAndExample() {
    List<Example> train = sentences(4, 1);
    Vocabulary vocabulary = TinyCorpus.vocabulary(train);
    try (TaggerTask tagger =
        TaggerTask.create(
            ModelConfig.newBuilder().setEmbeddingSize(4).setHiddenSize(4).setMaxLength(9).build(),
            TrainingConfig.newBuilder().setSeed(1).addBucketBoundaries(6).build(),
            vocabulary,
            List.of("at", "nn"))) {
      var error =
          assertThrows(
              IllegalArgumentException.class, () -> tagger.trainEpoch(train, 0), "tag vbz");
      assertTrue(error.getMessage().contains("'vbz'"), error.getMessage());
    }
  }
}
