package io.rnnkit.export;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;

/**
 * Rows of tokens checked and cut to a model's {@code max_length}, ready to feed as {@code tokens}
 * and {@code lengths}.
 *
 * @param rows the kept tokens of every row, each at most {@code max_length} long
 * @param truncated whether each row was longer than {@code max_length} and cut to it
 */
record TokenBatch(List<List<String>> rows, boolean[] truncated) {

  /**
   * Checks {@code rows} and cuts each to {@code maxLength} tokens.
   *
   * @throws IllegalArgumentException for an empty batch, an empty row, a null token or an empty
   *     token ({@code ""} marks padding)
   */
  static TokenBatch of(List<List<String>> rows, int maxLength) {
    if (rows == null || rows.isEmpty()) {
      throw new IllegalArgumentException("the batch is empty; pass at least one row of tokens");
    }
    List<List<String>> kept = new ArrayList<>(rows.size());
    boolean[] truncated = new boolean[rows.size()];
    for (int row = 0; row < rows.size(); row++) {
      List<String> tokens = rows.get(row);
      if (tokens == null || tokens.isEmpty()) {
        throw new IllegalArgumentException("row " + row + " has no tokens; remove it or add text");
      }
      for (int t = 0; t < tokens.size(); t++) {
        String token = tokens.get(t);
        if (token == null) {
          throw new IllegalArgumentException("row " + row + " contains a null token at " + t);
        }
        if (token.isEmpty()) {
          throw new IllegalArgumentException(
              "row "
                  + row
                  + " contains an empty token at "
                  + t
                  + "; the empty string marks padding, so remove it");
        }
      }
      truncated[row] = tokens.size() > maxLength;
      kept.add(truncated[row] ? List.copyOf(tokens.subList(0, maxLength)) : List.copyOf(tokens));
    }
    return new TokenBatch(List.copyOf(kept), truncated);
  }

  /**
   * Runs the {@code serving_default} signature of {@code model} on these rows and returns what
   * {@code read} makes of its outputs, which are closed afterwards.
   */
  <R> R run(ServingModel model, Function<ServingModel.Outputs, R> read) {
    try (TString tokens = tokens();
        TInt32 lengths = lengths();
        ServingModel.Outputs outputs =
            model.run(
                ServingNames.SERVING_DEFAULT,
                Map.of(ServingNames.TOKENS, tokens, ServingNames.LENGTHS, lengths))) {
      return read.apply(outputs);
    }
  }

  int size() {
    return rows.size();
  }

  /** Returns the length of the longest kept row. */
  int width() {
    return rows.stream().mapToInt(List::size).max().orElse(0);
  }

  /** Builds the {@code tokens} tensor {@code [B, width]}, padded with {@code ""}. */
  TString tokens() {
    int width = width();
    NdArray<String> values = NdArrays.ofObjects(String.class, Shape.of(rows.size(), width));
    for (int row = 0; row < rows.size(); row++) {
      List<String> tokens = rows.get(row);
      for (int t = 0; t < width; t++) {
        values.setObject(t < tokens.size() ? tokens.get(t) : "", row, t);
      }
    }
    return TString.tensorOf(values);
  }

  /** Builds the {@code lengths} tensor {@code [B]}. */
  TInt32 lengths() {
    return TInt32.vectorOf(rows.stream().mapToInt(List::size).toArray());
  }
}
