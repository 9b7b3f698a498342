package io.rnnkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.BucketBatcher;
import io.rnnkit.data.BucketBatcher.Batch;
import io.rnnkit.model.ModelConfigs;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A partial last batch holds only real rows, so its loss is the mean loss of those rows. */
class LastBatchLossTest {

  @Test
  void lastPartialBatch_lossOfRealRowsOnly() {
    ModelConfig model =
        ModelConfigs.withDefaults(
            ModelConfig.newBuilder()
                .setTask(TaskKind.CLASSIFIER)
                .setNumClasses(3)
                .setEmbeddingSize(4)
                .setHiddenSize(5)
                .setMaxLength(6)
                .build());
    TrainingConfig training =
        TrainingConfigs.withDefaults(TrainingConfig.newBuilder().setSeed(9).build());
    int[][] sequences = new int[10][];
    long[] ids = new long[10];
    int[] labels = new int[10];
    for (int i = 0; i < 10; i++) {
      ids[i] = i;
      labels[i] = i % 3;
      sequences[i] = new int[] {2 + i % 5, 3 + i % 4, 4};
    }
    BucketBatcher batcher =
        BucketBatcher.builder(ids, sequences).labels(labels).boundaries(6).batchSize(4).build();
    List<Batch> batches = batcher.epoch(9, 0);
    assertEquals(
        List.of(4, 4, 2),
        batches.stream().map(Batch::size).sorted((a, b) -> b - a).toList(),
        "10 rows in batches of 4 give 4, 4 and 2");
    Batch last = batches.stream().filter(b -> b.size() == 2).findFirst().orElseThrow();

    try (ModelSession session = ModelSession.create(model, training, 10)) {
      ClassifierTrainer trainer =
          new ClassifierTrainer(session, LearningRateSchedule.constant(0.01f));
      trainer.prepare(new int[] {6});
      float[][] probabilities = trainer.predict(List.of(last)).get(0);
      double expected = 0;
      for (int row = 0; row < 2; row++) {
        expected -= Math.log(probabilities[row][last.labels()[row]]) / 2;
      }
      double loss = trainer.train(List.of(last), 1).meanLoss();
      assertEquals(expected, loss, 1e-5, "loss of the 2-row batch is the mean over its 2 rows");
    }
  }
}
