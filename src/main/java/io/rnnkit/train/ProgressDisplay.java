package io.rnnkit.train;

import java.io.PrintStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows the progress of an epoch: a bar redrawn in place on a console, or one SLF4J log line every
 * log interval otherwise. Both show the mean loss, tokens per second and the estimated time left.
 */
final class ProgressDisplay {

  private static final Logger log = LoggerFactory.getLogger(ProgressDisplay.class);
  private static final long REDRAW_NANOS = 250_000_000L;
  private static final int BAR_WIDTH = 30;

  private final boolean bar;
  private final long logIntervalNanos;
  private final PrintStream out;
  private long lastShown;
  private boolean drawn;

  ProgressDisplay(boolean bar, double logIntervalSeconds, PrintStream out) {
    this.bar = bar;
    this.logIntervalNanos = (long) (logIntervalSeconds * 1e9);
    this.out = out;
  }

  void startEpoch() {
    lastShown = System.nanoTime();
  }

  void update(
      int epoch,
      long step,
      int position,
      int size,
      double meanLoss,
      double tokensPerSecond,
      double secondsLeft) {
    long now = System.nanoTime();
    boolean last = position == size;
    if (now - lastShown < (bar ? REDRAW_NANOS : logIntervalNanos) && !last) {
      return;
    }
    lastShown = now;
    if (bar) {
      int filled = (int) ((long) BAR_WIDTH * position / Math.max(size, 1));
      out.printf(
          "\repoch %d [%s%s] %d/%d loss %.4f %,.0f tokens/s %s left   ",
          epoch + 1,
          "=".repeat(filled),
          " ".repeat(BAR_WIDTH - filled),
          position,
          size,
          meanLoss,
          tokensPerSecond,
          duration(secondsLeft));
      out.flush();
      drawn = true;
    } else if (!last) {
      log.info(
          "epoch {} step {} ({}/{}): loss {}, {} tokens/s, {} left",
          epoch + 1,
          step,
          position,
          size,
          String.format("%.4f", meanLoss),
          String.format("%.0f", tokensPerSecond),
          duration(secondsLeft));
    }
  }

  /** Ends the bar's line so that later output starts on a new one. */
  void endEpoch() {
    if (drawn) {
      out.println();
      out.flush();
      drawn = false;
    }
  }

  static String duration(double seconds) {
    if (!Double.isFinite(seconds)) {
      return "?";
    }
    long total = Math.round(seconds);
    return total >= 3600
        ? String.format("%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
        : String.format("%d:%02d", total / 60, total % 60);
  }
}
