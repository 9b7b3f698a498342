package io.rnnkit.train;

/** Learning rate as a function of the number of updates applied so far. */
@FunctionalInterface
public interface LearningRateSchedule {

  /** Returns the learning rate of update number {@code step}, counting from 0. */
  float rate(long step);

  /** Returns a schedule that always gives {@code rate}. */
  static LearningRateSchedule constant(float rate) {
    return step -> rate;
  }
}
