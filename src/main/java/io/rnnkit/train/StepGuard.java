package io.rnnkit.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts updates skipped because the loss or the gradient norm was not finite, and stops the run
 * after too many in a row. The graph itself skips such updates, so variables stay unchanged.
 */
public final class StepGuard {

  private static final Logger log = LoggerFactory.getLogger(StepGuard.class);

  /** Consecutive non-finite steps after which training stops. */
  public static final int DEFAULT_MAX_CONSECUTIVE = 5;

  private final int maxConsecutive;
  private int consecutive;
  private long skipped;

  public StepGuard(int maxConsecutive) {
    if (maxConsecutive <= 0) {
      throw new IllegalArgumentException("maxConsecutive must be positive, got " + maxConsecutive);
    }
    this.maxConsecutive = maxConsecutive;
  }

  /**
   * Records one step and returns whether its update was applied.
   *
   * @throws IllegalStateException after {@code maxConsecutive} non-finite steps in a row
   */
  public boolean record(long step, double loss, double gradientNorm) {
    if (Double.isFinite(loss) && Double.isFinite(gradientNorm)) {
      consecutive = 0;
      return true;
    }
    consecutive++;
    skipped++;
    log.warn(
        "Step {}: loss {} or gradient norm {} is not finite; update skipped ({} in a row, {} in"
            + " all)",
        step,
        loss,
        gradientNorm,
        consecutive,
        skipped);
    if (consecutive >= maxConsecutive) {
      throw new IllegalStateException(
          "training stopped at step "
              + step
              + " after "
              + consecutive
              + " consecutive updates with a non-finite loss or gradient norm; lower the learning"
              + " rate or set clip_norm, and resume from the last checkpoint");
    }
    return false;
  }

  /** Returns the number of skipped updates so far. */
  public long skipped() {
    return skipped;
  }
}
