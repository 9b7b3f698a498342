package io.rnnkit.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.checkpoint.TensorBundleReader;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.Example;
import io.rnnkit.data.TinyCorpus;
import io.rnnkit.data.Vocabulary;
import io.rnnkit.task.ClassifierTask;
import io.rnnkit.task.LanguageModelTask;
import io.rnnkit.transfer.TransferReport.Status;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Session;

/** Loading pretrained variables by name and shape into a new classifier. */
class WeightTransferTest {

  private static final ModelConfig MODEL =
      ModelConfig.newBuilder().setEmbeddingSize(6).setHiddenSize(8).setMaxLength(10).build();
  private static final TrainingConfig TRAINING =
      TrainingConfig.newBuilder()
          .setLearningRate(0.02f)
          .setBatchSize(4)
          .setBpttSteps(5)
          .setClipNorm(5f)
          .setSeed(7)
          .addBucketBoundaries(6)
          .build();
  private static final List<String> LABELS = List.of("cooking", "sport");

  @TempDir static Path folder;
  static List<Example> train;
  static Vocabulary vocabulary;
  static Path lm;
  static Path secondLm;

  @BeforeAll
  static void pretrain() {
    train = TinyCorpus.examples(40, 11);
    vocabulary = TinyCorpus.vocabulary(train);
    lm = pretrainLm("lm", 7);
    secondLm = pretrainLm("second-lm", 8);
  }

  private static Path pretrainLm(String name, long seed) {
    int[][] stream = TinyCorpus.stream(train, vocabulary);
    Path target = folder.resolve(name);
    try (LanguageModelTask task =
        LanguageModelTask.create(MODEL, TRAINING.toBuilder().setSeed(seed).build(), vocabulary)) {
      task.trainEpoch(stream[0], stream[1]);
      task.save(target);
    }
    return target;
  }

  @Test
  void load_encoderEqualsPretrainedBitForBit() throws Exception {
    try (ClassifierTask classifier = classifier(MODEL, vocabulary);
        TensorBundleReader reader = TensorBundleReader.open(lm.resolve("checkpoint/variables"))) {
      Session session = classifier.modelSession().session();
      float[] headBefore = TransferData.read(session, "classifier_head/kernel");
      TransferReport report = FineTuning.single(lm).load(classifier.modelSession(), false, false);

      List<String> encoder =
          List.of("embedding/embeddings", "lstm/kernel", "lstm/recurrent_kernel", "lstm/bias");
      assertEquals(encoder, report.names(Status.LOADED), "embedding and encoder are loaded");
      assertEquals(
          List.of("classifier_head/kernel", "classifier_head/bias"),
          report.names(Status.NEW),
          "the head is new");
      assertEquals(
          List.of("lm_head/bias", "lm_head/kernel"),
          report.names(Status.LEFT_OUT),
          "the language-model head is left out, in bundle key order");
      assertTrue(report.optimizerStateKeys() > 0, "optimizer slots are counted, not loaded");
      for (String name : encoder) {
        assertArrayEquals(
            reader.readFloats(name), TransferData.read(session, name), name + " is bit-identical");
      }
      assertArrayEquals(
          headBefore,
          TransferData.read(session, "classifier_head/kernel"),
          "the head keeps its initial values");
      String table = report.table();
      assertTrue(table.startsWith("variable"), "table has a header line:\n" + table);
      assertTrue(
          table.lines().anyMatch(l -> l.startsWith("lstm/kernel") && l.contains("LOADED")),
          "table lists lstm/kernel as loaded:\n" + table);
    }
  }

  @Test
  void shapeMismatch_failsNamingVariable() {
    ModelConfig wider = MODEL.toBuilder().setHiddenSize(10).build();
    try (ClassifierTask classifier = classifier(wider, vocabulary)) {
      IllegalArgumentException error =
          assertThrows(
              IllegalArgumentException.class,
              () -> FineTuning.single(lm).load(classifier.modelSession(), false, false));
      assertTrue(
          error.getMessage().contains("variable lstm/kernel has shape [6, 40] but lstm/kernel @ "),
          error.getMessage());
      assertTrue(error.getMessage().contains("has shape [6, 32]"), error.getMessage());
      assertTrue(error.getMessage().contains("--allow-partial"), error.getMessage());
    }
  }

  @Test
  void shapeMismatch_allowedKeepsInitialValues() throws Exception {
    ModelConfig wider = MODEL.toBuilder().setHiddenSize(10).build();
    try (ClassifierTask classifier = classifier(wider, vocabulary);
        TensorBundleReader reader = TensorBundleReader.open(lm.resolve("checkpoint/variables"))) {
      Session session = classifier.modelSession().session();
      float[] kernelBefore = TransferData.read(session, "lstm/kernel");
      TransferReport report = FineTuning.single(lm).load(classifier.modelSession(), true, false);
      assertEquals(
          List.of("embedding/embeddings"), report.names(Status.LOADED), "only the embedding fits");
      assertArrayEquals(
          kernelBefore, TransferData.read(session, "lstm/kernel"), "lstm/kernel stays initial");
      assertArrayEquals(
          reader.readFloats("embedding/embeddings"),
          TransferData.read(session, "embedding/embeddings"),
          "the embedding is loaded");
    }
  }

  @Test
  void nameMismatch_failsNamingVariable() {
    ModelConfig deeper = MODEL.toBuilder().setNumLayers(2).build();
    try (ClassifierTask classifier = classifier(deeper, vocabulary)) {
      IllegalArgumentException error =
          assertThrows(
              IllegalArgumentException.class,
              () -> FineTuning.single(lm).load(classifier.modelSession(), false, false));
      assertTrue(
          error.getMessage().startsWith("variable lstm_1/kernel has no pretrained tensor"),
          error.getMessage());
    }
  }

  @Test
  void extendVocabulary_keepsOldRows() throws Exception {
    List<Example> task =
        List.of(
            new Example(0, List.of("kickoff", "ball", "kickoff"), "sport", null),
            new Example(1, List.of("whisk", "soup", "whisk", "rare"), "cooking", null));
    Vocabulary extended = VocabularyTransfer.extend(vocabulary, task, 2);
    assertEquals(
        vocabulary.tokens(),
        extended.tokens().subList(0, vocabulary.size()),
        "pretrained ids are unchanged");
    assertEquals(
        List.of("kickoff", "whisk"),
        extended.tokens().subList(vocabulary.size(), extended.size()),
        "words seen twice are added, most frequent first, ties by token");
    int columns = MODEL.getEmbeddingSize();
    int oldValues = vocabulary.size() * columns;
    try (ClassifierTask classifier = classifier(MODEL, extended);
        TensorBundleReader reader = TensorBundleReader.open(lm.resolve("checkpoint/variables"))) {
      Session session = classifier.modelSession().session();
      float[] initial = TransferData.read(session, "embedding/embeddings");
      TransferReport report = FineTuning.single(lm).load(classifier.modelSession(), false, true);
      assertEquals(
          List.of("embedding/embeddings"), report.names(Status.EXTENDED), "embedding extended");
      float[] loaded = TransferData.read(session, "embedding/embeddings");
      assertArrayEquals(
          reader.readFloats("embedding/embeddings"),
          Arrays.copyOfRange(loaded, 0, oldValues),
          "old rows are bit-identical to the pretrained ones");
      assertArrayEquals(
          Arrays.copyOfRange(initial, oldValues, initial.length),
          Arrays.copyOfRange(loaded, oldValues, loaded.length),
          "new rows keep their initializer's values");
    }
  }

  @Test
  void largerVocabularyWithoutExtend_fails() {
    Vocabulary extended =
        VocabularyTransfer.extend(
            vocabulary, List.of(new Example(0, List.of("new", "new"), "sport", null)), 1);
    try (ClassifierTask classifier = classifier(MODEL, extended)) {
      IllegalArgumentException error =
          assertThrows(
              IllegalArgumentException.class,
              () -> FineTuning.single(lm).load(classifier.modelSession(), false, false));
      assertTrue(
          error.getMessage().startsWith("variable embedding/embeddings has shape"),
          error.getMessage());
    }
  }

  @Test
  void bidirectional_halvesFromTwoLanguageModels() throws Exception {
    ModelConfig bidirectional = MODEL.toBuilder().setBidirectional(true).build();
    try (ClassifierTask classifier = classifier(bidirectional, vocabulary);
        TensorBundleReader forward = TensorBundleReader.open(lm.resolve("checkpoint/variables"));
        TensorBundleReader backward =
            TensorBundleReader.open(secondLm.resolve("checkpoint/variables"))) {
      Session session = classifier.modelSession().session();
      TransferReport report =
          FineTuning.bidirectional(lm, secondLm).load(classifier.modelSession(), false, false);
      assertEquals(7, report.names(Status.LOADED).size(), "embedding and two halves of 3");
      assertArrayEquals(
          forward.readFloats("lstm/kernel"),
          TransferData.read(session, "bidirectional/forward_lstm/kernel"),
          "the forward half comes from the forward model");
      assertArrayEquals(
          backward.readFloats("lstm/recurrent_kernel"),
          TransferData.read(session, "bidirectional/backward_lstm/recurrent_kernel"),
          "the backward half comes from the backward model");
      assertArrayEquals(
          forward.readFloats("embedding/embeddings"),
          TransferData.read(session, "embedding/embeddings"),
          "the embedding comes from the forward model");
      assertTrue(
          report.names(Status.LEFT_OUT).contains("embedding/embeddings"),
          "the backward model's embedding is left out: " + report.names(Status.LEFT_OUT));
    }
  }

  @Test
  void coverage_countsUnknownWords() {
    List<Example> task =
        List.of(new Example(0, List.of("ball", "zzz", "yyy", "zzz"), "sport", null));
    VocabularyTransfer.Coverage coverage = VocabularyTransfer.coverage(vocabulary, task, 1);
    assertEquals(4, coverage.tokens(), "all tokens");
    assertEquals(3, coverage.unknown(), "zzz twice and yyy");
    assertEquals(2, coverage.unknownTypes(), "two distinct unknown words");
    assertEquals("zzz", coverage.topUnknown().get(0).getKey(), "most frequent unknown word");
  }

  @Test
  void resolve_missingModelFailsWithLayouts() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> PretrainedModel.resolve(folder.resolve("missing")));
    assertTrue(error.getMessage().startsWith("no pretrained model at "), error.getMessage());
  }

  private static ClassifierTask classifier(ModelConfig model, Vocabulary words) {
    return ClassifierTask.createWithLayerGroups(model, TRAINING, words, LABELS);
  }
}
