package io.rnnkit.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads a UTF-8 file of {@code label<TAB>text} lines into labeled {@link Example}s.
 *
 * <p>The line is split at its first tab, so the text may contain more tabs. Blank lines are skipped
 * silently. A line without a tab, with an empty label, with no tokens in its text, or that is not
 * valid UTF-8 is invalid: in strict mode it raises an error naming file and line, otherwise it is
 * skipped and counted. Example ids count from 0 in reading order.
 */
public final class TsvReader {
  private final Tokenizer tokenizer;
  private final boolean strict;

  /**
   * Creates a reader.
   *
   * @param strict whether an invalid line raises an error (true) or is skipped and counted (false)
   */
  public TsvReader(Tokenizer tokenizer, boolean strict) {
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
   * @throws IllegalArgumentException if the file is missing or empty, yields no example, or, in
   *     strict mode, contains an invalid line
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
          int tab = line.indexOf('\t');
          String problem = null;
          List<String> tokens = List.of();
          if (tab < 0) {
            problem = "line has no tab; expected label<TAB>text";
          } else if (line.substring(0, tab).isBlank()) {
            problem = "empty label before the tab";
          } else {
            tokens = tokenizer.tokenize(line.substring(tab + 1));
            if (tokens.isEmpty()) {
              problem = "text after the tab has no tokens";
            }
          }
          if (problem != null) {
            if (strict) {
              throw new IllegalArgumentException(file + ":" + lineNumber + ": " + problem);
            }
            stats.skip(file, lineNumber, problem);
            return;
          }
          stats.addRecord();
          String label = line.substring(0, tab).strip();
          examples.add(new Example(examples.size(), tokens, label, null));
        });
    if (examples.isEmpty()) {
      throw new IllegalArgumentException(
          "No valid label<TAB>text lines in " + file + " (" + stats.skipped() + " skipped)");
    }
    return examples;
  }
}
