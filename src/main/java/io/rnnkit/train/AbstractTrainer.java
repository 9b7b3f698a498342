package io.rnnkit.train;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Base of the trainers: the model session, the learning-rate schedule, the count of attempted
 * updates and the {@link StepGuard} that counts the updates skipped for a non-finite loss or
 * gradient norm.
 */
public abstract class AbstractTrainer {

  final ModelSession model;
  private final StepGuard guard = new StepGuard(StepGuard.DEFAULT_MAX_CONSECUTIVE);
  private LearningRateSchedule schedule;
  private long step;

  AbstractTrainer(ModelSession model, LearningRateSchedule schedule) {
    this.model = model;
    this.schedule = schedule;
  }

  /** Interval between two progress lines of a training pass: 10 seconds, in nanoseconds. */
  private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

  /** Returns the number of updates attempted so far, applied or skipped. */
  public long step() {
    return step;
  }

  /** Returns the number of updates skipped for a non-finite loss or gradient norm. */
  public long skippedSteps() {
    return guard.skipped();
  }

  /** Sets the count of attempted updates, as a resumed run must before its first update. */
  public void resumeAt(long step) {
    this.step = step;
  }

  /** Replaces the learning-rate schedule for the following updates. */
  public void setSchedule(LearningRateSchedule schedule) {
    this.schedule = schedule;
  }

  /** Returns the learning-rate schedule. */
  public LearningRateSchedule schedule() {
    return schedule;
  }

  /** Feeds the learning rate of the current step and adds its tensor to {@code inputs} to close. */
  void feedRate(Session.Runner runner, List<Tensor> inputs) {
    TFloat32 rate = TFloat32.scalarOf(schedule.rate(step));
    inputs.add(rate);
    runner.feed(model.learningRate(), rate);
  }

  /**
   * Feeds the dropout seed of the current step, made of the training seed and the step, so that a
   * resumed run draws the same masks. Adds its tensor to {@code inputs} to close.
   */
  void feedDropoutSeed(Session.Runner runner, List<Tensor> inputs) {
    TInt64 seed = TInt64.vectorOf(model.training().getSeed(), step);
    inputs.add(seed);
    runner.feed(model.dropoutSeed(), seed);
  }

  /**
   * Records the loss and gradient norm of the update just run and counts it as attempted.
   *
   * @return whether the update was applied, false when the graph skipped it
   * @throws IllegalStateException after too many skipped updates in a row
   */
  boolean recordUpdate(double loss, double norm) {
    boolean applied = guard.record(step, loss, norm);
    step++;
    return applied;
  }

  /** Returns a clock of a pass that starts now, for its progress lines and wall time. */
  PassClock startClock() {
    return new PassClock(LoggerFactory.getLogger(getClass()));
  }

  /** Wall clock of one pass, which logs its progress at most every 10 seconds. */
  final class PassClock {
    private final Logger log;
    private final long started = System.nanoTime();
    private long lastLog = started;

    private PassClock(Logger log) {
      this.log = log;
    }

    /** Logs the step, mean loss and tokens per second of {@code pass} when a line is due. */
    void tick(TrainingPass pass) {
      long now = System.nanoTime();
      if (now - lastLog > LOG_INTERVAL_NANOS) {
        lastLog = now;
        log.info(
            "step {} loss {} ({} tokens/s)",
            step(),
            String.format("%.4f", pass.meanLoss()),
            String.format("%.0f", pass.tokens() / ((now - started) / 1e9)));
      }
    }

    /** Returns the seconds since the pass started. */
    double seconds() {
      return (System.nanoTime() - started) / 1e9;
    }
  }
}
