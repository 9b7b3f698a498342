package io.rnnkit.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.RecurrentKernel;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.Example;
import io.rnnkit.data.TinyCorpus;
import io.rnnkit.data.Vocabulary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.GraphOperation;
import org.tensorflow.SavedModelBundle;

/** A classifier trained on the fused kernel exports the portable unrolled graph. */
class FusedKernelExportTest {

  @TempDir Path runs;

  @Test
  void fusedTrainingExportsOnlyUnrolledOps() throws Exception {
    List<Example> examples = TinyCorpus.examples(24, 5);
    Vocabulary vocabulary = TinyCorpus.vocabulary(examples);
    ModelConfig model =
        ModelConfig.newBuilder()
            .setEmbeddingSize(8)
            .setHiddenSize(8)
            .setKernel(RecurrentKernel.FUSED)
            .build();
    TrainingConfig training =
        TrainingConfig.newBuilder().setLearningRate(0.01f).setBatchSize(8).build();
    Path base = runs.resolve("export");
    try (ClassifierTask classifier =
        ClassifierTask.create(model, training, vocabulary, List.of("cooking", "sport"))) {
      classifier.trainEpoch(examples, 0);
      classifier.export(base, 1);
    }
    List<String> nonPortable = new ArrayList<>();
    int lstmOps = 0;
    try (SavedModelBundle bundle = SavedModelBundle.load(base.resolve("1").toString(), "serve")) {
      var it = bundle.graph().operations();
      while (it.hasNext()) {
        String type = ((GraphOperation) it.next()).type();
        if (type.startsWith("Cudnn") || type.startsWith("BlockLSTM")) {
          nonPortable.add(type);
        }
        if (type.equals("Sigmoid")) {
          lstmOps++;
        }
      }
    }
    assertEquals(List.of(), nonPortable, "op types of fused or GPU-only kernels in the export");
    assertTrue(lstmOps > 0, "the export holds the unrolled LSTM's Sigmoid ops, found " + lstmOps);
  }
}
