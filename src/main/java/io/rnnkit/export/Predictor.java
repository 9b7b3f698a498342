package io.rnnkit.export;

import io.rnnkit.config.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Runs an exported classifier from Java.
 *
 * <p>Input rows are lists of tokens. Rows longer than the model's {@code max_length} are truncated
 * to it, and the prediction says so. Safe to call from several threads: TensorFlow sessions run
 * concurrent calls. Close it to release the native model.
 */
public final class Predictor implements AutoCloseable {

  private final SavedModelBundle bundle;
  private final SessionFunction function;
  private final int maxLength;
  private final List<String> labels;

  private Predictor(Path modelDir, int maxLength, List<String> labels) {
    this.bundle = SavedModelBundle.load(modelDir.toString(), SavedModelBundle.DEFAULT_TAG);
    this.function = bundle.function(org.tensorflow.Signature.DEFAULT_KEY);
    this.maxLength = maxLength;
    this.labels = labels;
  }

  /** Loads the SavedModel version folder {@code modelDir}, such as {@code savedmodels/x/1}. */
  public static Predictor load(Path modelDir) {
    ModelConfig config = ExportedModels.config(modelDir);
    return new Predictor(modelDir, config.getMaxLength(), ExportedModels.labels(modelDir));
  }

  static Predictor loadWithoutAssets(Path modelDir) {
    return new Predictor(modelDir, Integer.MAX_VALUE, List.of());
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
   * @throws IllegalArgumentException for an empty batch, an empty row or a null token
   */
  public List<Prediction> predict(List<List<String>> rows) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("the batch is empty; pass at least one row of tokens");
    }
    List<List<String>> kept = new ArrayList<>(rows.size());
    boolean[] truncated = new boolean[rows.size()];
    for (int row = 0; row < rows.size(); row++) {
      List<String> tokens = rows.get(row);
      if (tokens == null || tokens.isEmpty()) {
        throw new IllegalArgumentException("row " + row + " has no tokens; remove it or add text");
      }
      if (tokens.stream().anyMatch(java.util.Objects::isNull)) {
        throw new IllegalArgumentException("row " + row + " contains a null token");
      }
      truncated[row] = tokens.size() > maxLength;
      kept.add(truncated[row] ? tokens.subList(0, maxLength) : tokens);
    }
    RawOutput raw = runRaw(kept);
    List<Prediction> predictions = new ArrayList<>(rows.size());
    for (int row = 0; row < rows.size(); row++) {
      predictions.add(
          new Prediction(
              raw.labels()[row], raw.labelIds()[row], raw.probabilities()[row], truncated[row]));
    }
    return predictions;
  }

  RawOutput runRaw(List<List<String>> rows) {
    int width = rows.stream().mapToInt(List::size).max().orElse(0);
    NdArray<String> tokens = NdArrays.ofObjects(String.class, Shape.of(rows.size(), width));
    int[] lengths = new int[rows.size()];
    for (int row = 0; row < rows.size(); row++) {
      List<String> values = rows.get(row);
      lengths[row] = values.size();
      for (int t = 0; t < width; t++) {
        tokens.setObject(t < values.size() ? values.get(t) : "", row, t);
      }
    }
    Map<String, Tensor> inputs = new HashMap<>();
    try (TString tokenTensor = TString.tensorOf(tokens);
        TInt32 lengthTensor = TInt32.vectorOf(lengths)) {
      inputs.put("tokens", tokenTensor);
      inputs.put("lengths", lengthTensor);
      try (Result result = function.call(inputs)) {
        TFloat32 probabilities = (TFloat32) result.get("probabilities").orElseThrow();
        TString label = (TString) result.get("label").orElseThrow();
        TInt64 labelId = (TInt64) result.get("label_id").orElseThrow();
        int classes = (int) probabilities.shape().size(1);
        float[][] values = new float[rows.size()][classes];
        String[] names = new String[rows.size()];
        long[] ids = new long[rows.size()];
        for (int row = 0; row < rows.size(); row++) {
          for (int c = 0; c < classes; c++) {
            values[row][c] = probabilities.getFloat(row, c);
          }
          names[row] = label.getObject(row);
          ids[row] = labelId.getLong(row);
        }
        return new RawOutput(values, names, ids);
      }
    }
  }

  @Override
  public void close() {
    bundle.close();
  }

  record RawOutput(float[][] probabilities, String[] labels, long[] labelIds) {}

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
