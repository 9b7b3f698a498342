package io.rnnkit.train;

import io.rnnkit.config.OptimizerKind;
import io.rnnkit.config.TrainingConfig;

/** Defaults and validation of {@link TrainingConfig}; every message names the field and value. */
public final class TrainingConfigs {
  private TrainingConfigs() {}

  /** Returns {@code config} with unset fields replaced by their defaults. */
  public static TrainingConfig withDefaults(TrainingConfig config) {
    TrainingConfig.Builder builder = config.toBuilder();
    if (config.getOptimizer() == OptimizerKind.OPTIMIZER_KIND_UNSPECIFIED) {
      builder.setOptimizer(OptimizerKind.ADAM);
    }
    if (config.getLearningRate() == 0f) {
      builder.setLearningRate(0.002f);
    }
    if (config.getBatchSize() == 0) {
      builder.setBatchSize(32);
    }
    if (config.getEpochs() == 0) {
      builder.setEpochs(1);
    }
    if (config.getBpttSteps() == 0) {
      builder.setBpttSteps(35);
    }
    return builder.build();
  }

  /** Checks every field and returns {@code config}. */
  public static TrainingConfig validate(TrainingConfig config) {
    if (!(config.getLearningRate() > 0f) || Float.isInfinite(config.getLearningRate())) {
      throw new IllegalArgumentException(
          "learning_rate must be positive and finite, got " + config.getLearningRate());
    }
    if (!(config.getClipNorm() >= 0f) || Float.isInfinite(config.getClipNorm())) {
      throw new IllegalArgumentException(
          "clip_norm must be >= 0 (0 disables clipping), got " + config.getClipNorm());
    }
    positive("batch_size", config.getBatchSize());
    positive("epochs", config.getEpochs());
    positive("bptt_steps", config.getBpttSteps());
    int previous = 0;
    for (int boundary : config.getBucketBoundariesList()) {
      if (boundary <= previous) {
        throw new IllegalArgumentException(
            "bucket_boundaries must be positive and ascending, got "
                + config.getBucketBoundariesList());
      }
      previous = boundary;
    }
    if (config.getMaxStepsPerEpoch() < 0) {
      throw new IllegalArgumentException(
          "max_steps_per_epoch must be >= 0, got " + config.getMaxStepsPerEpoch());
    }
    return config;
  }

  private static void positive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be positive, got " + value);
    }
  }
}
