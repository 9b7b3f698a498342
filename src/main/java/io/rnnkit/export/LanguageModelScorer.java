package io.rnnkit.export;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * Scores text with an exported language model, a whole row at a time ({@link #score}) or one token
 * at a time ({@link #step}). Rows longer than the model's {@code max_length} are truncated to it,
 * and {@link Score#truncated()} is set. Safe to call from several threads. Close it to release the
 * native model.
 */
public final class LanguageModelScorer extends ServingClient {

  private final int stateSize;
  private final List<String> vocabulary;

  private LanguageModelScorer(ServingModel model, int maxLength, List<String> vocabulary) {
    super(model, maxLength);
    this.vocabulary = vocabulary;
    this.stateSize =
        (int)
            model
                .signature(ServingNames.STEP)
                .getInputsOrThrow(ServingNames.STATE)
                .getTensorShape()
                .getDim(1)
                .getSize();
  }

  /** Loads the SavedModel version folder {@code modelDir} of a language model. */
  public static LanguageModelScorer load(Path modelDir) {
    ModelConfig config = config(modelDir, TaskKind.LANGUAGE_MODEL);
    return new LanguageModelScorer(
        ServingModel.load(modelDir), config.getMaxLength(), ExportedModels.vocabulary(modelDir));
  }

  /** Returns the vocabulary in id order: the columns of every log-probability row. */
  public List<String> vocabulary() {
    return vocabulary;
  }

  /** Returns the maximum row length {@link #score} reads; longer rows are truncated. */
  public int maxLength() {
    return maxLength;
  }

  /** Returns {@code P*H}, the width of the state of {@link #step}. */
  public int stateSize() {
    return stateSize;
  }

  /**
   * Scores each row: the sum of {@code log p(token t+1 | tokens 0..t)} over its tokens after the
   * first, from a zero initial state.
   *
   * @throws IllegalArgumentException for an empty batch, an empty row or a null or empty token
   */
  public List<Score> score(List<List<String>> rows) {
    TokenBatch batch = TokenBatch.of(rows, maxLength);
    return batch.run(model, outputs -> scores(batch, outputs));
  }

  private static List<Score> scores(TokenBatch batch, ServingModel.Outputs outputs) {
    TFloat32 logLikelihood = outputs.get(ServingNames.LOG_LIKELIHOOD);
    List<Score> scores = new ArrayList<>(batch.size());
    for (int row = 0; row < batch.size(); row++) {
      int predicted = batch.rows().get(row).size() - 1;
      scores.add(new Score(logLikelihood.getFloat(row), predicted, batch.truncated()[row]));
    }
    return scores;
  }

  /** Returns a zero state for {@code streams} streams, the state before their first token. */
  public float[][] zeroState(int streams) {
    if (streams < 1) {
      throw new IllegalArgumentException("streams must be positive, got " + streams);
    }
    return new float[streams][stateSize];
  }

  /**
   * Reads one token of every stream.
   *
   * @param tokens the next token of each stream; {@code ""} leaves that stream's state unchanged
   * @param state {@code [streams][stateSize()]}, from {@link #zeroState} or the previous step
   * @return log-probabilities of the token after {@code tokens} and the state after reading them
   */
  public Step step(List<String> tokens, float[][] state) {
    if (tokens == null || tokens.isEmpty()) {
      throw new IllegalArgumentException("tokens is empty; pass one token per stream");
    }
    if (tokens.stream().anyMatch(java.util.Objects::isNull)) {
      throw new IllegalArgumentException("tokens contains null; pass \"\" to skip a stream");
    }
    if (state.length != tokens.size()) {
      throw new IllegalArgumentException(
          "state must have one row per token ("
              + tokens.size()
              + "), got "
              + state.length
              + " rows");
    }
    try (TString token = TString.vectorOf(tokens.toArray(String[]::new));
        TFloat32 stateTensor = stateTensor(state);
        ServingModel.Outputs outputs =
            model.run(
                ServingNames.STEP,
                Map.of(ServingNames.TOKEN, token, ServingNames.STATE, stateTensor))) {
      TFloat32 logProbabilities = outputs.get(ServingNames.LOG_PROBABILITIES);
      TFloat32 next = outputs.get(ServingNames.STATE);
      return new Step(toArray(logProbabilities), toArray(next));
    }
  }

  private TFloat32 stateTensor(float[][] state) {
    for (int row = 0; row < state.length; row++) {
      if (state[row].length != stateSize) {
        throw new IllegalArgumentException(
            "state[" + row + "] must have " + stateSize + " values, got " + state[row].length);
      }
    }
    TFloat32 tensor = TFloat32.tensorOf(Shape.of(state.length, stateSize));
    for (int row = 0; row < state.length; row++) {
      tensor.set(NdArrays.vectorOf(state[row]), row);
    }
    return tensor;
  }

  private static float[][] toArray(TFloat32 matrix) {
    int rows = (int) matrix.shape().size(0);
    int columns = (int) matrix.shape().size(1);
    float[][] values = new float[rows][columns];
    for (int row = 0; row < rows; row++) {
      for (int column = 0; column < columns; column++) {
        values[row][column] = matrix.getFloat(row, column);
      }
    }
    return values;
  }

  /**
   * Score of one row.
   *
   * @param logLikelihood natural-log likelihood of the row's tokens after the first
   * @param predictedTokens number of tokens scored: the row's length (after truncation) minus 1
   * @param truncated whether the row was longer than the model's maximum length and cut to it
   */
  public record Score(double logLikelihood, int predictedTokens, boolean truncated) {

    /** Returns {@code exp(-logLikelihood / predictedTokens)}, or NaN for a one-token row. */
    public double perplexity() {
      return predictedTokens == 0 ? Double.NaN : Math.exp(-logLikelihood / predictedTokens);
    }
  }

  /**
   * Result of one step.
   *
   * @param logProbabilities {@code [streams][V]} log-probabilities of the next token
   * @param state {@code [streams][stateSize()]} state after the step
   */
  public record Step(float[][] logProbabilities, float[][] state) {}
}
