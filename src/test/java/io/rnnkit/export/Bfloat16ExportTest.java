package io.rnnkit.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.MatmulPrecision;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.GraphOperation;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.proto.DataType;

/** A classifier with bfloat16 products exports a serving graph that keeps them. */
class Bfloat16ExportTest {

  private static final List<List<String>> ROWS =
      List.of(
          List.of("the", "cat", "sat", "on", "a", "mat"),
          List.of("a", "dog", "sat"),
          List.of("mat"));

  @TempDir Path folder;

  @Test
  void classifierExportKeepsBfloat16Products() {
    ModelConfig full = TinyModels.config(TaskKind.CLASSIFIER);
    ModelConfig half = full.toBuilder().setMatmulPrecision(MatmulPrecision.BFLOAT16).build();
    float[][][] expected;
    float[][][] float32;
    Path export;

    try (TinyModels.Reference reference = new TinyModels.Reference(half, 11);
        TinyModels.Reference float32Reference = new TinyModels.Reference(full, 11)) {
      expected = reference.run(ROWS);
      float32 = float32Reference.run(ROWS);
      Path checkpoint = reference.save(folder.resolve("checkpoint"));
      export =
          SavedModelExporter.exportClassifier(
              half, TinyModels.VOCABULARY, TinyModels.LABELS, checkpoint, folder.resolve("sm"), 1);
    }

    double fromTraining = 0;
    double fromFloat32 = 0;
    try (Predictor predictor = Predictor.load(export)) {
      List<Predictor.Prediction> predictions = predictor.predict(ROWS);
      for (int row = 0; row < ROWS.size(); row++) {
        float[] actual = predictions.get(row).probabilities();
        assertEquals(TinyModels.LABELS.size(), actual.length, "probabilities of row " + row);
        for (int c = 0; c < actual.length; c++) {
          fromTraining = Math.max(fromTraining, Math.abs(expected[row][0][c] - actual[c]));
          fromFloat32 = Math.max(fromFloat32, Math.abs(float32[row][0][c] - actual[c]));
        }
      }
    }

    assertTrue(fromTraining <= 1e-6, "served probabilities differ by " + fromTraining);
    assertTrue(fromFloat32 > 0, "served probabilities equal the float32 graph's exactly");
    // An estimate, not a proven bound: each product is off by at most 3 u (u = 2^-8) of its sum of
    // |a| |b|, and weights in [-0.5, 0.5) with sizes of 4 keep those sums near 1.
    assertTrue(fromFloat32 <= 0.05, "served probabilities differ from float32 by " + fromFloat32);
    assertTrue(bfloat16MatMuls(export) > 0, "the serving graph has no bfloat16 MatMul");
  }

  private static int bfloat16MatMuls(Path export) {
    int count = 0;
    try (SavedModelBundle bundle = SavedModelBundle.load(export.toString(), "serve")) {
      var operations = bundle.graph().operations();
      while (operations.hasNext()) {
        GraphOperation op = (GraphOperation) operations.next();
        if (op.type().equals("MatMul") && op.output(0).dataType() == DataType.DT_BFLOAT16) {
          count++;
        }
      }
    }
    return count;
  }
}
