package io.rnnkit.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads a UTF-8 text file with one sentence or document per line into unlabeled {@link Example}s.
 *
 * <p>Blank lines are skipped silently. A line with no tokens after tokenization (only control
 * characters, say) is counted as a skip. Example ids count from 0 in reading order.
 */
public final class PlainTextReader {
  private final Tokenizer tokenizer;
  private final boolean strict;

  /**
   * Creates a reader.
   *
   * @param strict whether a line that is not valid UTF-8 raises an error (true) or is skipped,
   *     counted and logged with file and line (false)
   */
  public PlainTextReader(Tokenizer tokenizer, boolean strict) {
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    this.strict = strict;
  }

  /** Reads {@code file} like {@link #read(Path, ReadStats)}, discarding the counts. */
  public List<Example> read(Path file) throws IOException {
    return read(file, new ReadStats());
  }

  /**
   * Reads {@code file} and adds the number of examples read and lines skipped to {@code stats}.
   *
   * @throws IllegalArgumentException if the file is missing or empty, contains no non-blank line,
   *     or, in strict mode, contains a line that is not valid UTF-8
   */
  public List<Example> read(Path file, ReadStats stats) throws IOException {
    List<Example> examples = new ArrayList<>();
    Utf8Lines.forEach(
        file,
        strict,
        stats,
        (lineNumber, line) -> {
          if (line.isBlank()) {
            return;
          }
          List<String> tokens = tokenizer.tokenize(line);
          if (tokens.isEmpty()) {
            stats.skip(file, lineNumber, "line has no tokens");
            return;
          }
          stats.addRecord();
          examples.add(new Example(examples.size(), tokens, null, null));
        });
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("No text lines with tokens in " + file);
    }
    return examples;
  }
}
