package io.rnnkit.task;

import io.rnnkit.config.TrainingConfig;
import io.rnnkit.train.AbstractTrainer;
import io.rnnkit.train.LearningRateSchedules;
import io.rnnkit.train.MetricGoal;
import io.rnnkit.train.RunOptions;
import java.util.ArrayList;
import java.util.List;

/** Training settings that the tasks derive from their configuration in the same way. */
final class TrainingSetup {
  private TrainingSetup() {}

  /**
   * Returns the bucket lengths: the configured {@code bucket_boundaries} (8, 16, 24, 32, 48 when
   * unset) below {@code maxLength}, then {@code maxLength}.
   */
  static int[] bucketBoundaries(TrainingConfig training, int maxLength) {
    List<Integer> configured = training.getBucketBoundariesList();
    List<Integer> lengths = new ArrayList<>();
    for (int boundary : configured.isEmpty() ? List.of(8, 16, 24, 32, 48) : configured) {
      if (boundary < maxLength) {
        lengths.add(boundary);
      }
    }
    lengths.add(maxLength);
    return lengths.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Returns the number of updates in one epoch of {@code batches} batches, capped at {@code
   * max_steps_per_epoch} when that is set.
   */
  static int updatesPerEpoch(TrainingConfig training, int batches) {
    int limit = training.getMaxStepsPerEpoch();
    return limit > 0 ? Math.min(limit, batches) : batches;
  }

  /**
   * Sets the schedule of {@code trainer} from {@code training.schedule} for a run of the epochs of
   * {@code options}, each of {@code batches} batches capped by {@link #updatesPerEpoch}.
   */
  static void setRunSchedule(
      AbstractTrainer trainer,
      TrainingConfig training,
      int batches,
      RunOptions options,
      MetricGoal goal) {
    int perEpoch = updatesPerEpoch(training, batches);
    trainer.setSchedule(
        LearningRateSchedules.fromConfig(training, (long) perEpoch * options.epochs(), goal));
  }

  /** Checks that there is validation data to pick the best checkpoint by. */
  static void requireValidation(List<?> validation) {
    if (validation.isEmpty()) {
      throw new IllegalArgumentException(
          "validation examples are required to pick the best checkpoint; pass at least one");
    }
  }
}
