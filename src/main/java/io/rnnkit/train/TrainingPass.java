package io.rnnkit.train;

/**
 * One epoch of training run one update at a time, so that a run can checkpoint in the middle of an
 * epoch and resume at the same update with the same running sums.
 */
public interface TrainingPass {

  /** Returns the number of updates in the pass. */
  int size();

  /** Returns the number of updates run so far. */
  int position();

  /** Returns whether an update remains. */
  default boolean hasNext() {
    return position() < size();
  }

  /** Runs the next update and returns its mean loss (NaN or infinite when it was skipped). */
  double next();

  /** Returns the mean loss over the applied updates so far, weighted by tokens or rows. */
  double meanLoss();

  /** Returns the real tokens read so far. */
  long tokens();

  /** Returns the position a resumed pass needs to continue exactly where this one is. */
  PassPosition snapshot();

  /**
   * Moves a fresh pass to {@code position} without running the updates before it; the session's
   * variables must already hold the weights of that point.
   */
  void restore(PassPosition position);
}
