package io.rnnkit.cli;

import io.rnnkit.config.ScheduleKind;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.train.RunOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options of the training commands that set the run folder, resume and the schedule. */
final class RunFolderOptions {

  @Option(
      names = "--run",
      description =
          "Run folder for checkpoints, trainer_state.json, metrics.jsonl, tensorboard/ and"
              + " curves.png; default: <--out>-run, or <--export>-v<version>-run for"
              + " finetune.")
  Path run;

  @Option(
      names = "--resume",
      description = "Continue from the newest checkpoint in the run folder, with the same flags.")
  boolean resume;

  @Option(names = "--patience", description = "Epochs without validation gain before stopping.")
  Integer patience;

  @Option(
      names = "--checkpoint-every",
      description = "Also checkpoint every this many steps; 0 means at epoch ends only.")
  Integer checkpointEvery;

  @Option(names = "--keep-checkpoints", description = "Newest checkpoints kept besides the best.")
  Integer keepCheckpoints;

  @Option(
      names = "--schedule",
      description =
          "Learning-rate schedule: CONSTANT, STEP_DECAY, WARMUP_LINEAR, WARMUP_COSINE,"
              + " REDUCE_ON_PLATEAU or SLANTED_TRIANGULAR.")
  ScheduleKind schedule;

  @Option(names = "--warmup-steps", description = "Warm-up steps of WARMUP_* schedules.")
  Long warmupSteps;

  @Option(
      names = "--log-interval",
      defaultValue = "10",
      description = "Seconds between progress log lines and metrics records.")
  double logInterval;

  /** Returns {@code training} with the given flags applied. */
  TrainingConfig apply(TrainingConfig training) {
    TrainingConfig.Builder builder = training.toBuilder();
    if (patience != null) {
      builder.setPatience(patience);
    }
    if (checkpointEvery != null) {
      builder.setCheckpointEverySteps(checkpointEvery);
    }
    if (keepCheckpoints != null) {
      builder.setKeepCheckpoints(keepCheckpoints);
    }
    if (schedule == ScheduleKind.SCHEDULE_KIND_UNSPECIFIED
        || schedule == ScheduleKind.UNRECOGNIZED) {
      throw new IllegalArgumentException(
          "--schedule must be one of CONSTANT, STEP_DECAY, WARMUP_LINEAR, WARMUP_COSINE,"
              + " REDUCE_ON_PLATEAU, SLANTED_TRIANGULAR, got "
              + schedule);
    }
    if (schedule != null) {
      builder.getScheduleBuilder().setKind(schedule);
    }
    if (warmupSteps != null) {
      builder.getScheduleBuilder().setWarmupSteps(warmupSteps);
    }
    return builder.build();
  }

  /**
   * Returns the run options of {@code training} in the run folder ({@code output}-run unless set).
   */
  RunOptions options(Path output, TrainingConfig training) {
    Path folder = run != null ? run : output.resolveSibling(output.getFileName() + "-run");
    return RunOptions.fromConfig(folder, training).withResume(resume).withLogInterval(logInterval);
  }

  /**
   * Fails when {@code output} already contains a saved model, unless the run resumes, so that a new
   * run never overwrites a finished model by accident.
   */
  void requireNewOutput(java.nio.file.Path output) {
    boolean hasModel =
        java.nio.file.Files.exists(output.resolve("model_config.pbtxt"))
            || java.nio.file.Files.exists(output.resolve("checkpoint"));
    if (hasModel && !resume) {
      throw new IllegalArgumentException(
          "output folder "
              + output
              + " already holds a saved model; choose another --out, delete it, or pass --resume"
              + " to continue its run");
    }
  }
}
