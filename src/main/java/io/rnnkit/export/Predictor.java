package io.rnnkit.export;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Runs an exported classifier from Java.
 *
 * <p>Input rows are lists of tokens. Rows longer than the model's {@code max_length} are truncated
 * to it, and the prediction marks them as truncated. Safe to call from several threads: TensorFlow
 * sessions run concurrent calls. Close it to release the native model.
 */
public final class Predictor extends ServingClient {

  private final List<String> labels;

  private Predictor(ServingModel model, int maxLength, List<String> labels) {
    super(model, maxLength);
    this.labels = labels;
  }

  /** Loads the SavedModel version folder {@code modelDir}, such as {@code savedmodels/x/1}. */
  public static Predictor load(Path modelDir) {
    ModelConfig config = config(modelDir, TaskKind.CLASSIFIER);
    List<String> labels = ExportedModels.labels(modelDir);
    return new Predictor(ServingModel.load(modelDir), config.getMaxLength(), labels);
  }

  /** Returns the label names in class-id order. */
  public List<String> labels() {
    return labels;
  }

  /** Returns the longest row the model reads; longer rows are truncated. */
  public int maxLength() {
    return maxLength;
  }

  /**
   * Classifies each row.
   *
   * @param rows token lists, each with at least one token
   * @return one prediction per row, in input order
   * @throws IllegalArgumentException for an empty batch, an empty row or a null or empty token
   */
  public List<Prediction> predict(List<List<String>> rows) {
    TokenBatch batch = TokenBatch.of(rows, maxLength);
    return batch.run(model, outputs -> predictions(batch, outputs));
  }

  private static List<Prediction> predictions(TokenBatch batch, ServingModel.Outputs outputs) {
    TFloat32 probabilities = outputs.get(ServingNames.PROBABILITIES);
    TString label = outputs.get(ServingNames.LABEL);
    TInt64 labelId = outputs.get(ServingNames.LABEL_ID);
    int classes = (int) probabilities.shape().size(1);
    List<Prediction> predictions = new ArrayList<>(batch.size());
    for (int row = 0; row < batch.size(); row++) {
      float[] values = new float[classes];
      for (int c = 0; c < classes; c++) {
        values[c] = probabilities.getFloat(row, c);
      }
      predictions.add(
          new Prediction(
              label.getObject(row), labelId.getLong(row), values, batch.truncated()[row]));
    }
    return predictions;
  }

  /**
   * Prediction for one row.
   *
   * @param label the most probable label
   * @param labelId its class id
   * @param probabilities probability of every class, in class-id order
   * @param truncated whether the row was longer than the model's maximum length and cut to it
   */
  public record Prediction(String label, long labelId, float[] probabilities, boolean truncated) {}
}
