package io.rnnkit.export;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;

/**
 * Runs an exported tagger from Java: one tag per token. Rows longer than the model's {@code
 * max_length} are truncated to it, and {@link Tagging#truncated()} is set. Safe to call from
 * several threads. Close it to release the native model.
 */
public final class TaggerPredictor implements AutoCloseable {

  private final ServingModel model;
  private final int maxLength;
  private final List<String> tags;

  private TaggerPredictor(ServingModel model, int maxLength, List<String> tags) {
    this.model = model;
    this.maxLength = maxLength;
    this.tags = tags;
  }

  /** Loads the SavedModel version folder {@code modelDir} of a tagger. */
  public static TaggerPredictor load(Path modelDir) {
    ModelConfig config = ExportedModels.config(modelDir);
    ExportedModels.requireTask(modelDir, config, TaskKind.TAGGER);
    List<String> tags = ExportedModels.tags(modelDir);
    return new TaggerPredictor(ServingModel.load(modelDir), config.getMaxLength(), tags);
  }

  /** Returns the tag names in tag-id order. */
  public List<String> tags() {
    return tags;
  }

  /** Returns the maximum row length the model reads; longer rows are truncated. */
  public int maxLength() {
    return maxLength;
  }

  /**
   * Tags each row.
   *
   * @param rows token lists, each with at least one token
   * @return one result per row, in input order
   * @throws IllegalArgumentException for an empty batch, an empty row or a null or empty token
   */
  public List<Tagging> tag(List<List<String>> rows) {
    TokenBatch batch = TokenBatch.of(rows, maxLength);
    try (TString tokens = batch.tokens();
        TInt32 lengths = batch.lengths();
        ServingModel.Outputs outputs =
            model.run(
                ServingNames.SERVING_DEFAULT,
                Map.of(ServingNames.TOKENS, tokens, ServingNames.LENGTHS, lengths))) {
      TString tagOutput = outputs.get(ServingNames.TAGS);
      TFloat32 probabilities = outputs.get(ServingNames.TAG_PROBABILITIES);
      int classes = (int) probabilities.shape().size(2);
      List<Tagging> results = new ArrayList<>(batch.size());
      for (int row = 0; row < batch.size(); row++) {
        List<String> kept = batch.rows().get(row);
        List<String> rowTags = new ArrayList<>(kept.size());
        float[][] rowProbabilities = new float[kept.size()][classes];
        for (int t = 0; t < kept.size(); t++) {
          rowTags.add(tagOutput.getObject(row, t));
          for (int k = 0; k < classes; k++) {
            rowProbabilities[t][k] = probabilities.getFloat(row, t, k);
          }
        }
        results.add(
            new Tagging(kept, List.copyOf(rowTags), rowProbabilities, batch.truncated()[row]));
      }
      return results;
    }
  }

  @Override
  public void close() {
    model.close();
  }

  /**
   * Tags of one row.
   *
   * @param tokens the tokens read, after truncation
   * @param tags the most probable tag of each token
   * @param probabilities {@code [tokens][K]} probability of every tag, in tag-id order
   * @param truncated whether the row was longer than the model's maximum length and cut to it
   */
  public record Tagging(
      List<String> tokens, List<String> tags, float[][] probabilities, boolean truncated) {}
}
