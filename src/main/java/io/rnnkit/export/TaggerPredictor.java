package io.rnnkit.export;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * Runs an exported tagger from Java: one tag per token. A row longer than the model's {@code
 * max_length} is tagged in consecutive pieces of {@code max_length} tokens, each read on its own,
 * and {@link Tagging#pieces()} returns how many. Safe to call from several threads. Close it to
 * release the native model.
 */
public final class TaggerPredictor extends ServingClient {

  private final List<String> tags;

  private TaggerPredictor(ServingModel model, int maxLength, List<String> tags) {
    super(model, maxLength);
    this.tags = tags;
  }

  /** Loads the SavedModel version folder {@code modelDir} of a tagger. */
  public static TaggerPredictor load(Path modelDir) {
    ModelConfig config = config(modelDir, TaskKind.TAGGER);
    List<String> tags = ExportedModels.tags(modelDir);
    return new TaggerPredictor(ServingModel.load(modelDir), config.getMaxLength(), tags);
  }

  /** Returns the tag names in tag-id order. */
  public List<String> tags() {
    return tags;
  }

  /** Returns the maximum row length the model reads at once; longer rows are read in pieces. */
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
    // Checks the rows as given, so an error names the caller's row index, not a piece's.
    TokenBatch.of(rows, maxLength);
    List<List<String>> pieces = new ArrayList<>();
    for (List<String> row : rows) {
      for (int start = 0; start < row.size(); start += maxLength) {
        pieces.add(row.subList(start, Math.min(row.size(), start + maxLength)));
      }
    }
    List<Tagging> tagged = tagPieces(pieces);
    List<Tagging> results = new ArrayList<>(rows.size());
    int next = 0;
    for (List<String> row : rows) {
      int count = (row.size() + maxLength - 1) / maxLength;
      List<String> rowTags = new ArrayList<>(row.size());
      List<float[]> rowProbabilities = new ArrayList<>(row.size());
      for (int p = 0; p < count; p++) {
        Tagging piece = tagged.get(next++);
        rowTags.addAll(piece.tags());
        rowProbabilities.addAll(List.of(piece.probabilities()));
      }
      results.add(
          new Tagging(
              List.copyOf(row),
              List.copyOf(rowTags),
              rowProbabilities.toArray(float[][]::new),
              count));
    }
    return results;
  }

  /** Tags rows of at most {@code max_length} tokens in one run of the model. */
  private List<Tagging> tagPieces(List<List<String>> pieces) {
    TokenBatch batch = TokenBatch.of(pieces, maxLength);
    return batch.run(model, outputs -> taggings(batch, outputs));
  }

  private static List<Tagging> taggings(TokenBatch batch, ServingModel.Outputs outputs) {
    TString tagOutput = outputs.get(ServingNames.TAGS);
    TFloat32 probabilities = outputs.get(ServingNames.TAG_PROBABILITIES);
    int classes = (int) probabilities.shape().size(2);
    List<Tagging> results = new ArrayList<>(batch.size());
    for (int row = 0; row < batch.size(); row++) {
      List<String> rowTokens = batch.rows().get(row);
      List<String> rowTags = new ArrayList<>(rowTokens.size());
      float[][] rowProbabilities = new float[rowTokens.size()][classes];
      for (int t = 0; t < rowTokens.size(); t++) {
        rowTags.add(tagOutput.getObject(row, t));
        for (int k = 0; k < classes; k++) {
          rowProbabilities[t][k] = probabilities.getFloat(row, t, k);
        }
      }
      results.add(new Tagging(rowTokens, rowTags, rowProbabilities, 1));
    }
    return results;
  }

  /**
   * Tags of one row.
   *
   * @param tokens the tokens of the row
   * @param tags the most probable tag of each token
   * @param probabilities {@code [tokens][K]} probability of every tag, in tag-id order
   * @param pieces the number of pieces of at most {@code max_length} tokens the row was read in, 1
   *     for a row that fits
   */
  public record Tagging(
      List<String> tokens, List<String> tags, float[][] probabilities, int pieces) {}
}
