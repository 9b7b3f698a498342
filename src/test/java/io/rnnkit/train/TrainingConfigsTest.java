package io.rnnkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rnnkit.config.OptimizerKind;
import io.rnnkit.config.ScheduleConfig;
import io.rnnkit.config.ScheduleKind;
import io.rnnkit.config.TrainingConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Validation of every field of a training configuration before a run starts. */
class TrainingConfigsTest {

  private static final TrainingConfig VALID =
      TrainingConfigs.withDefaults(TrainingConfig.newBuilder().setLearningRate(0.01f).build());

  @Test
  void validate_acceptsDefaultsAndZeroMeaningDefault() {
    TrainingConfig zeros =
        VALID.toBuilder()
            .setSchedule(
                ScheduleConfig.newBuilder()
                    .setKind(ScheduleKind.SLANTED_TRIANGULAR)
                    .setCutFraction(0f)
                    .setRatio(0f)
                    .setDecayFactor(0f))
            .build();

    assertSame(VALID, TrainingConfigs.validate(VALID), "defaults");
    assertSame(zeros, TrainingConfigs.validate(zeros), "0 selects each default");
  }

  @Test
  void validate_rejectsEachInvalidField() {
    Map<String, TrainingConfig.Builder> cases =
        Map.ofEntries(
            Map.entry("weight_decay must be >= 0, got -1.0", VALID.toBuilder().setWeightDecay(-1f)),
            Map.entry(
                "momentum must be in (0, 1) for the MOMENTUM optimizer, got -1.0",
                VALID.toBuilder().setOptimizer(OptimizerKind.MOMENTUM).setMomentum(-1f)),
            Map.entry(
                "patience must be >= 0 (0 disables early stopping), got -1",
                VALID.toBuilder().setPatience(-1)),
            Map.entry(
                "keep_checkpoints must be >= 0 (0 keeps the default of 3), got -1",
                VALID.toBuilder().setKeepCheckpoints(-1)),
            Map.entry(
                "checkpoint_every_steps must be >= 0 (0 saves at epoch ends only), got -1",
                VALID.toBuilder().setCheckpointEverySteps(-1)),
            Map.entry(
                "sampled_softmax must be >= 0 (0 trains with the full softmax), got -5",
                VALID.toBuilder().setSampledSoftmax(-5)),
            Map.entry(
                "intra_op_threads must be >= 0 (0 lets TensorFlow choose), got -1",
                VALID.toBuilder().setIntraOpThreads(-1)),
            Map.entry(
                "schedule.warmup_steps must be >= 0, got -5",
                VALID.toBuilder().setSchedule(ScheduleConfig.newBuilder().setWarmupSteps(-5))),
            Map.entry(
                "schedule.cut_fraction must be in (0, 1), or 0 for 0.1, got 2.0",
                VALID.toBuilder().setSchedule(ScheduleConfig.newBuilder().setCutFraction(2f))),
            Map.entry(
                "schedule.ratio must be >= 1, or 0 for 32, got 0.5",
                VALID.toBuilder().setSchedule(ScheduleConfig.newBuilder().setRatio(0.5f))),
            Map.entry(
                "schedule.decay_factor must be in (0, 1), or 0 for 0.5, got 1.5",
                VALID.toBuilder().setSchedule(ScheduleConfig.newBuilder().setDecayFactor(1.5f))),
            Map.entry(
                "schedule.min_learning_rate must be in [0, learning_rate = 0.01], got 0.5",
                VALID.toBuilder()
                    .setSchedule(ScheduleConfig.newBuilder().setMinLearningRate(0.5f))));

    cases.forEach(
        (message, config) -> {
          IllegalArgumentException error =
              assertThrows(
                  IllegalArgumentException.class,
                  () -> TrainingConfigs.validate(config.build()),
                  message);
          assertEquals(message, error.getMessage());
        });
  }
}
