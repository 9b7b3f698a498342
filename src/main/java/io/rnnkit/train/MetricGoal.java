package io.rnnkit.train;

/** Direction in which a validation metric improves. */
public enum MetricGoal {
  /** Lower is better, as for perplexity or loss. */
  MINIMIZE,
  /** Higher is better, as for accuracy. */
  MAXIMIZE;

  /** Returns whether {@code candidate} is strictly better than {@code best}; NaN never is. */
  public boolean isBetter(double candidate, double best) {
    if (Double.isNaN(candidate)) {
      return false;
    }
    if (Double.isNaN(best)) {
      return true;
    }
    return this == MINIMIZE ? candidate < best : candidate > best;
  }
}
