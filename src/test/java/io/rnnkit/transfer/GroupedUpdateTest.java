package io.rnnkit.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.Example;
import io.rnnkit.data.TinyCorpus;
import io.rnnkit.data.Vocabulary;
import io.rnnkit.task.ClassifierTask;
import io.rnnkit.train.LayerGroup;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Session;

/** Per-group updates: frozen groups stay bit-identical, enabled groups train. */
class GroupedUpdateTest {

  private static final ModelConfig MODEL =
      ModelConfig.newBuilder()
          .setEmbeddingSize(6)
          .setHiddenSize(8)
          .setNumLayers(2)
          .setMaxLength(10)
          .build();
  private static final TrainingConfig TRAINING =
      TrainingConfig.newBuilder()
          .setLearningRate(0.05f)
          .setBatchSize(8)
          .setClipNorm(1f)
          .setSeed(5)
          .addBucketBoundaries(6)
          .build();

  @Test
  void layerGroups_bottomFirstHeadLast() {
    List<Example> train = TinyCorpus.examples(16, 1);
    try (ClassifierTask classifier = create(train)) {
      assertEquals(
          List.of(
              new LayerGroup("embedding", List.of("embedding/")),
              new LayerGroup("lstm", List.of("lstm/")),
              new LayerGroup("lstm_1", List.of("lstm_1/")),
              new LayerGroup("classifier_head", List.of("classifier_head/"))),
          classifier.layerGroups(),
          "one group per layer, bottom first");
    }
  }

  @Test
  void gradualUnfreezing_frozenGroupsAndSlotsStayBitIdentical() {
    List<Example> train = TinyCorpus.examples(32, 2);
    try (ClassifierTask classifier = create(train)) {
      classifier.setGroupSchedule(new UlmfitSchedule(4, 0.05f, 2.6f, Unfreezing.GRADUAL, null));
      Session session = classifier.modelSession().session();
      Map<String, float[]> start = snapshot(session, classifier);

      classifier.trainEpoch(train, 0);
      Map<String, float[]> afterHead = snapshot(session, classifier);
      for (String name : start.keySet()) {
        boolean head = name.contains("classifier_head/");
        assertEquals(
            !head,
            Arrays.equals(start.get(name), afterHead.get(name)),
            "epoch 0 trains only the head; " + name + (head ? " must change" : " must not"));
      }
      int steps = classifier.updatesPerEpoch(train);
      assertEquals(
          steps,
          TransferData.readLong(session, "optimizer_group_steps/classifier_head/step"),
          "the head counts its updates");
      assertEquals(
          0L,
          TransferData.readLong(session, "optimizer_group_steps/lstm_1/step"),
          "a frozen group counts no update");
      assertEquals(
          steps, TransferData.readLong(session, "global_step"), "global_step counts every step");

      classifier.trainEpoch(train, 1);
      Map<String, float[]> afterTop = snapshot(session, classifier);
      for (String name : start.keySet()) {
        boolean trains = name.contains("classifier_head/") || name.contains("lstm_1/");
        assertEquals(
            !trains,
            Arrays.equals(afterHead.get(name), afterTop.get(name)),
            "epoch 1 also trains the top layer; " + name + (trains ? " must change" : " must not"));
      }
    }
  }

  @Test
  void headOnly_encoderStaysFrozenOverEpochs() {
    List<Example> train = TinyCorpus.examples(24, 3);
    try (ClassifierTask classifier = create(train)) {
      classifier.setGroupSchedule(new UlmfitSchedule(4, 0.05f, 1f, Unfreezing.HEAD_ONLY, null));
      Session session = classifier.modelSession().session();
      float[] embedding = TransferData.read(session, "embedding/embeddings");
      float[] kernel = TransferData.read(session, "lstm/kernel");
      for (int epoch = 0; epoch < 3; epoch++) {
        classifier.trainEpoch(train, epoch);
      }
      assertArrayEquals(
          embedding,
          TransferData.read(session, "embedding/embeddings"),
          "the embedding stays frozen");
      assertArrayEquals(kernel, TransferData.read(session, "lstm/kernel"), "lstm stays frozen");
    }
  }

  @Test
  void noGroupSchedule_everyGroupTrains() {
    List<Example> train = TinyCorpus.examples(16, 4);
    try (ClassifierTask classifier = create(train)) {
      Session session = classifier.modelSession().session();
      float[] embedding = TransferData.read(session, "embedding/embeddings");
      classifier.trainEpoch(train, 0);
      assertFalse(
          Arrays.equals(embedding, TransferData.read(session, "embedding/embeddings")),
          "without a group schedule the embedding trains as well");
    }
  }

  @Test
  void setGroupSchedule_withoutGroupsFails() {
    List<Example> train = TinyCorpus.examples(8, 5);
    Vocabulary vocabulary = TinyCorpus.vocabulary(train);
    try (ClassifierTask classifier =
        ClassifierTask.create(MODEL, TRAINING, vocabulary, List.of("cooking", "sport"))) {
      IllegalStateException error =
          assertThrows(
              IllegalStateException.class,
              () ->
                  classifier.setGroupSchedule(
                      new UlmfitSchedule(4, 0.1f, 1f, Unfreezing.NONE, null)));
      assertEquals(
          "this trainer has no layer groups; create it with the constructor that takes groups",
          error.getMessage(),
          "message says how to get groups");
    }
  }

  private static ClassifierTask create(List<Example> train) {
    return ClassifierTask.createWithLayerGroups(
        MODEL, TRAINING, TinyCorpus.vocabulary(train), List.of("cooking", "sport"));
  }

  /** Reads every variable and every Adam slot of the classifier's store. */
  private static Map<String, float[]> snapshot(Session session, ClassifierTask classifier) {
    Map<String, float[]> values = new LinkedHashMap<>();
    for (String name : classifier.modelSession().store().variables().keySet()) {
      values.put(name, TransferData.read(session, name));
      values.put(
          "optimizer_slots/" + name + "/m",
          TransferData.read(session, "optimizer_slots/" + name + "/m"));
      values.put(
          "optimizer_slots/" + name + "/v",
          TransferData.read(session, "optimizer_slots/" + name + "/v"));
    }
    return values;
  }
}
