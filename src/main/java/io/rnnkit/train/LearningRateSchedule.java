package io.rnnkit.train;

import java.util.Map;

/**
 * Learning rate as a function of the number of updates attempted so far. A schedule that also
 * follows the validation metric (reduce-on-plateau) keeps state, which {@link #state()} exports and
 * {@link #restore} reads back when a run resumes.
 */
@FunctionalInterface
public interface LearningRateSchedule {

  /** Returns the learning rate of update number {@code step}, counting from 0. */
  float rate(long step);

  /**
   * Reports the validation metric at the end of an epoch. Only schedules that react to it, such as
   * {@link LearningRateSchedules.ReduceOnPlateau}, do anything.
   */
  default void onValidation(double metric) {}

  /** Returns the state a resumed run needs; empty for schedules that depend on the step alone. */
  default Map<String, Double> state() {
    return Map.of();
  }

  /** Restores state written by {@link #state()}. */
  default void restore(Map<String, Double> state) {}

  /** Returns a schedule that always gives {@code rate}. */
  static LearningRateSchedule constant(float rate) {
    return step -> rate;
  }
}
