package io.rnnkit.data;

import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts of records read and input units skipped by a reader.
 *
 * <p>Readers that skip bad input (a malformed token, a line without a tab, a mail without a body)
 * record each skip here. The first {@value #LOGGED_SKIPS} skips are logged at WARN with file and
 * line; later ones are only counted, so a badly broken file does not flood the log. Not
 * thread-safe.
 */
public final class ReadStats {
  private static final Logger LOG = LoggerFactory.getLogger(ReadStats.class);

  /** Number of skips logged individually; later skips are counted only. */
  public static final int LOGGED_SKIPS = 10;

  private long records;
  private long skipped;

  /** Creates empty counts. */
  public ReadStats() {}

  /** Returns the number of records (sentences, examples, mails) read successfully. */
  public long records() {
    return records;
  }

  /**
   * Returns the number of skipped input units (tokens, lines or files, as the reader documents).
   */
  public long skipped() {
    return skipped;
  }

  void addRecord() {
    records++;
  }

  /**
   * Counts one skip and logs it while fewer than {@link #LOGGED_SKIPS} have been logged.
   *
   * @param line 1-based line number, or 0 when the skip concerns the whole file
   */
  void skip(Path file, long line, String reason) {
    skipped++;
    if (skipped <= LOGGED_SKIPS) {
      String where = line > 0 ? file + ":" + line : file.toString();
      LOG.warn("Skipped input at {}: {}", where, reason);
      if (skipped == LOGGED_SKIPS) {
        LOG.warn("Further skips are counted but not logged");
      }
    }
  }

  @Override
  public String toString() {
    return "ReadStats[records=" + records + ", skipped=" + skipped + "]";
  }
}
