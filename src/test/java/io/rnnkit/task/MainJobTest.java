package io.rnnkit.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.Example;
import io.rnnkit.data.TinyCorpus;
import io.rnnkit.data.Vocabulary;
import io.rnnkit.export.Predictor;
import io.rnnkit.train.LanguageModelTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SignatureDef;

/** The main job on tiny data: pretrain, fine-tune, export, reload and predict. */
class MainJobTest {

  private static final ModelConfig MODEL =
      ModelConfig.newBuilder().setEmbeddingSize(8).setHiddenSize(12).setMaxLength(12).build();
  private static final TrainingConfig TRAINING =
      TrainingConfig.newBuilder()
          .setLearningRate(0.02f)
          .setBatchSize(4)
          .setBpttSteps(6)
          .setClipNorm(5f)
          .setSeed(3)
          .addBucketBoundaries(5)
          .build();

  @TempDir Path folder;

  @Test
  void pretrainFinetuneExport_reloadedModelMatchesTrainingGraph() throws Exception {
    List<Example> train = TinyCorpus.examples(120, 1);
    List<Example> test = TinyCorpus.examples(40, 2);
    Vocabulary vocabulary = TinyCorpus.vocabulary(train);
    int[][] stream = TinyCorpus.stream(train, vocabulary);

    Path lmFolder = folder.resolve("lm");
    try (LanguageModelTask lm = LanguageModelTask.create(MODEL, TRAINING, vocabulary)) {
      LanguageModelTrainer.PassStats before = lm.evaluate(stream[0], stream[1]);
      for (int epoch = 0; epoch < 3; epoch++) {
        lm.trainEpoch(stream[0], stream[1]);
      }
      LanguageModelTrainer.PassStats after = lm.evaluate(stream[0], stream[1]);
      assertTrue(
          after.perplexity() < 0.8 * before.perplexity(),
          "training lowers perplexity: " + before.perplexity() + " -> " + after.perplexity());
      lm.save(lmFolder);
    }

    List<String> labels = List.of("cooking", "sport");
    Path exportBase = folder.resolve("savedmodels/topic");
    Evaluation evaluation;
    List<float[]> inMemory;
    try (ClassifierTask classifier = ClassifierTask.create(MODEL, TRAINING, vocabulary, labels)) {
      List<String> loaded = classifier.transferFrom(lmFolder);
      assertEquals(
          List.of("embedding/embeddings", "lstm/kernel", "lstm/recurrent_kernel", "lstm/bias"),
          loaded,
          "the embedding and encoder come from the language model");
      for (int epoch = 0; epoch < 4; epoch++) {
        classifier.trainEpoch(train, epoch);
      }
      evaluation = classifier.evaluate(test);
      inMemory = classifier.predictProbabilities(test);
      classifier.export(exportBase, 1);
    }
    assertTrue(
        evaluation.accuracy() > 0.9, "accuracy on separable topics " + evaluation.accuracy());

    Path exported = exportBase.resolve("1");
    try (Predictor predictor = Predictor.load(exported)) {
      List<Predictor.Prediction> predictions =
          predictor.predict(test.stream().map(Example::tokens).toList());
      double maxDifference = 0;
      for (int i = 0; i < test.size(); i++) {
        float[] expected = inMemory.get(i);
        float[] actual = predictions.get(i).probabilities();
        for (int c = 0; c < expected.length; c++) {
          maxDifference = Math.max(maxDifference, Math.abs(expected[c] - actual[c]));
        }
        assertEquals(
            labels.get(evaluation.predicted()[i]),
            predictions.get(i).label(),
            "label of test row " + i);
      }
      assertTrue(maxDifference < 1e-5, "reloaded model differs by " + maxDifference);

      List<Predictor.Prediction> unknown =
          predictor.predict(List.of(List.of("zebra", "quantum", "ball")));
      assertEquals(2, unknown.get(0).probabilities().length, "unknown words map to <unk>");
      List<Predictor.Prediction> longRow =
          predictor.predict(List.of(java.util.Collections.nCopies(30, "goal")));
      assertTrue(longRow.get(0).truncated(), "a row over max_length is reported as truncated");
      assertEquals("sport", longRow.get(0).label(), "truncated row is still classified");
      IllegalArgumentException empty =
          assertThrows(IllegalArgumentException.class, () -> predictor.predict(List.of()));
      assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
    }

    try (SavedModelBundle bundle = SavedModelBundle.load(exported.toString(), "serve")) {
      MetaGraphDef meta = bundle.metaGraphDef();
      SignatureDef signature = meta.getSignatureDefOrThrow("serving_default");
      assertEquals("tensorflow/serving/predict", signature.getMethodName(), "method name");
      assertEquals(
          java.util.Set.of("tokens", "lengths"), signature.getInputsMap().keySet(), "inputs");
      assertEquals(
          java.util.Set.of("probabilities", "label", "label_id"),
          signature.getOutputsMap().keySet(),
          "outputs");
      assertTrue(meta.getSignatureDefMap().containsKey("__saved_model_init_op"), "init op");
      for (NodeDef node : meta.getGraphDef().getNodeList()) {
        assertEquals("", node.getDevice(), "node " + node.getName() + " has no device pin");
      }
    }
    assertTrue(Files.isRegularFile(exported.resolve("assets/vocab.txt")), "vocabulary asset");
    IllegalStateException again =
        assertThrows(
            IllegalStateException.class,
            () -> {
              try (ClassifierTask classifier =
                  ClassifierTask.create(MODEL, TRAINING, vocabulary, labels)) {
                classifier.export(exportBase, 1);
              }
            });
    assertTrue(again.getMessage().contains("already exists"), again.getMessage());
    assertFalse(
        Files.list(exportBase).anyMatch(p -> p.getFileName().toString().contains("tmp")),
        "no temporary export folder is left behind");
  }
}
