package io.rnnkit.train;

import io.rnnkit.config.TrainingConfig;
import java.nio.file.Path;

/**
 * Settings of a {@link TrainingRun}.
 *
 * @param folder run folder ({@link RunFolder})
 * @param epochs epochs to train in all, counting those of a resumed run
 * @param patience epochs without validation improvement before stopping; 0 disables it
 * @param keepCheckpoints newest checkpoints kept besides the best one, at least 1
 * @param checkpointEverySteps also checkpoint every this many steps; 0 means at epoch ends only
 * @param resume continue from the newest checkpoint in {@code folder}
 * @param logIntervalSeconds seconds between two progress log lines and metrics records
 * @param progress how progress is shown
 * @param tensorBoard write TensorBoard event files
 * @param plot draw {@code curves.png} at the end
 * @param restoreBest load the best checkpoint's weights into the session at the end
 */
public record RunOptions(
    Path folder,
    int epochs,
    int patience,
    int keepCheckpoints,
    int checkpointEverySteps,
    boolean resume,
    double logIntervalSeconds,
    ProgressMode progress,
    boolean tensorBoard,
    boolean plot,
    boolean restoreBest) {

  /** Progress output during an epoch. */
  public enum ProgressMode {
    /** A progress bar when a console is attached, log lines otherwise. */
    AUTO,
    /** A progress bar on standard error, redrawn in place. */
    BAR,
    /** One log line every {@code logIntervalSeconds}. */
    LOG
  }

  public RunOptions {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be positive, got " + epochs);
    }
    if (patience < 0) {
      throw new IllegalArgumentException("patience must be >= 0 (0 disables it), got " + patience);
    }
    if (keepCheckpoints < 1) {
      throw new IllegalArgumentException(
          "keep_checkpoints must be positive, got " + keepCheckpoints);
    }
    if (checkpointEverySteps < 0) {
      throw new IllegalArgumentException(
          "checkpoint_every_steps must be >= 0 (0 means epoch ends only), got "
              + checkpointEverySteps);
    }
    if (!(logIntervalSeconds > 0)) {
      throw new IllegalArgumentException(
          "the log interval must be positive seconds, got " + logIntervalSeconds);
    }
  }

  /** Returns the options that {@code training} sets, with every output on and no resume. */
  public static RunOptions fromConfig(Path folder, TrainingConfig training) {
    int keep = training.getKeepCheckpoints() == 0 ? 3 : training.getKeepCheckpoints();
    return new RunOptions(
        folder,
        Math.max(1, training.getEpochs()),
        training.getPatience(),
        keep,
        training.getCheckpointEverySteps(),
        false,
        10,
        ProgressMode.AUTO,
        true,
        true,
        true);
  }

  public RunOptions withResume(boolean value) {
    return new RunOptions(
        folder,
        epochs,
        patience,
        keepCheckpoints,
        checkpointEverySteps,
        value,
        logIntervalSeconds,
        progress,
        tensorBoard,
        plot,
        restoreBest);
  }

  /** Returns these options with TensorBoard, plot and the progress bar switched off. */
  public RunOptions quiet() {
    return new RunOptions(
        folder,
        epochs,
        patience,
        keepCheckpoints,
        checkpointEverySteps,
        resume,
        logIntervalSeconds,
        ProgressMode.LOG,
        false,
        false,
        restoreBest);
  }

  public RunOptions withRestoreBest(boolean value) {
    return new RunOptions(
        folder,
        epochs,
        patience,
        keepCheckpoints,
        checkpointEverySteps,
        resume,
        logIntervalSeconds,
        progress,
        tensorBoard,
        plot,
        value);
  }

  public RunOptions withLogInterval(double seconds) {
    return new RunOptions(
        folder,
        epochs,
        patience,
        keepCheckpoints,
        checkpointEverySteps,
        resume,
        seconds,
        progress,
        tensorBoard,
        plot,
        restoreBest);
  }

  public RunOptions withProgress(ProgressMode mode) {
    return new RunOptions(
        folder,
        epochs,
        patience,
        keepCheckpoints,
        checkpointEverySteps,
        resume,
        logIntervalSeconds,
        mode,
        tensorBoard,
        plot,
        restoreBest);
  }
}
