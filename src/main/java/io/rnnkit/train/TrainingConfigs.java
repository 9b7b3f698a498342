package io.rnnkit.train;

import io.rnnkit.config.OptimizerKind;
import io.rnnkit.config.ScheduleConfig;
import io.rnnkit.config.ScheduleKind;
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
    checkOptimizer(config);
    atLeastZero("patience", config.getPatience(), "0 disables early stopping");
    atLeastZero("keep_checkpoints", config.getKeepCheckpoints(), "0 keeps the default of 3");
    atLeastZero(
        "checkpoint_every_steps", config.getCheckpointEverySteps(), "0 saves at epoch ends only");
    atLeastZero("sampled_softmax", config.getSampledSoftmax(), "0 trains with the full softmax");
    atLeastZero("intra_op_threads", config.getIntraOpThreads(), "0 lets TensorFlow choose");
    atLeastZero("inter_op_threads", config.getInterOpThreads(), "0 lets TensorFlow choose");
    checkSchedule(config);
    return config;
  }

  /**
   * Checks the optimizer fields: a known optimizer, {@code momentum} in (0, 1) for MOMENTUM and a
   * finite {@code weight_decay} of at least 0.
   */
  static void checkOptimizer(TrainingConfig config) {
    if (config.getOptimizer() == OptimizerKind.UNRECOGNIZED) {
      throw new IllegalArgumentException(
          "optimizer "
              + config.getOptimizerValue()
              + " is unknown; use ADAM, SGD, MOMENTUM or ADAMW");
    }
    float momentum = config.getMomentum();
    if (config.getOptimizer() == OptimizerKind.MOMENTUM && !(momentum > 0f && momentum < 1f)) {
      throw new IllegalArgumentException(
          "momentum must be in (0, 1) for the MOMENTUM optimizer, got " + momentum);
    }
    float decay = config.getWeightDecay();
    if (!(decay >= 0f) || Float.isInfinite(decay)) {
      throw new IllegalArgumentException("weight_decay must be >= 0, got " + decay);
    }
  }

  /**
   * Checks the schedule fields that do not depend on the run's length. A 0 in a factor, ratio or
   * fraction selects its default. The warm-up length and the slanted cut are checked against the
   * total steps when the schedule is built.
   */
  static void checkSchedule(TrainingConfig config) {
    ScheduleConfig schedule = config.getSchedule();
    if (schedule.getKind() == ScheduleKind.UNRECOGNIZED) {
      throw new IllegalArgumentException(
          "schedule.kind "
              + schedule.getKindValue()
              + " is unknown; use one of CONSTANT, STEP_DECAY, WARMUP_LINEAR, WARMUP_COSINE,"
              + " REDUCE_ON_PLATEAU, SLANTED_TRIANGULAR");
    }

    if (schedule.getWarmupSteps() < 0) {
      throw new IllegalArgumentException(
          "schedule.warmup_steps must be >= 0, got " + schedule.getWarmupSteps());
    }
    if (schedule.getDecaySteps() < 0) {
      throw new IllegalArgumentException(
          "schedule.decay_steps must be >= 0, got " + schedule.getDecaySteps());
    }
    atLeastZero("schedule.plateau_patience", schedule.getPlateauPatience(), "0 means 1");

    float factor = schedule.getDecayFactor();
    if (factor != 0f && !(factor > 0f && factor < 1f)) {
      throw new IllegalArgumentException(
          "schedule.decay_factor must be in (0, 1), or 0 for 0.5, got " + factor);
    }
    float cut = schedule.getCutFraction();
    if (cut != 0f && !(cut > 0f && cut < 1f)) {
      throw new IllegalArgumentException(
          "schedule.cut_fraction must be in (0, 1), or 0 for 0.1, got " + cut);
    }
    float ratio = schedule.getRatio();
    if (ratio != 0f && (!(ratio >= 1f) || Float.isInfinite(ratio))) {
      throw new IllegalArgumentException("schedule.ratio must be >= 1, or 0 for 32, got " + ratio);
    }

    float floor = schedule.getMinLearningRate();
    if (!(floor >= 0f) || floor > config.getLearningRate()) {
      throw new IllegalArgumentException(
          "schedule.min_learning_rate must be in [0, learning_rate = "
              + config.getLearningRate()
              + "], got "
              + floor);
    }
  }

  private static void atLeastZero(String field, int value, String zeroMeaning) {
    if (value < 0) {
      throw new IllegalArgumentException(
          field + " must be >= 0 (" + zeroMeaning + "), got " + value);
    }
  }

  private static void positive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be positive, got " + value);
    }
  }
}
