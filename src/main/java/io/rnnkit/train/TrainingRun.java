package io.rnnkit.train;

import com.google.protobuf.Descriptors;
import io.rnnkit.config.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a whole training run over epochs: validation after each epoch, early stopping, the best
 * checkpoint, checkpoints every few steps, exact resume, progress output, a metrics file,
 * TensorBoard events and a plot of the curves.
 *
 * <p>A resumed run restores the variables (weights, optimizer slots, {@code global_step}), the
 * count of attempted updates, the schedule state, the running loss of the epoch in progress and,
 * for a language model, the recurrent state carried between windows. The data order of an epoch
 * depends only on the seed and the epoch number, and the dropout masks only on the seed and the
 * step. So the resumed run trains on the same batches with the same masks.
 */
public final class TrainingRun {

  private static final Logger log = LoggerFactory.getLogger(TrainingRun.class);

  /** Task-specific parts of a run: session, epoch passes, validation and step count. */
  public interface Job {
    ModelSession session();

    /** Starts the training pass of {@code epoch}; the same epoch always gives the same order. */
    TrainingPass startEpoch(int epoch);

    /** Evaluates on the validation data. */
    Validation validate();

    /** Returns the count of attempted updates. */
    long step();

    /** Sets the count of attempted updates. */
    void resumeAt(long step);

    LearningRateSchedule schedule();
  }

  /**
   * Validation result of one epoch.
   *
   * @param metric name of the metric that picks the best checkpoint, such as {@code perplexity}
   * @param value its value
   * @param goal whether lower or higher is better
   * @param others further metrics to record
   */
  public record Validation(
      String metric, double value, MetricGoal goal, Map<String, Double> others) {}

  /** Figures of one finished epoch. */
  public record EpochResult(
      int epoch,
      long step,
      double trainLoss,
      double tokensPerSecond,
      double seconds,
      Validation validation) {}

  /**
   * Result of a run.
   *
   * @param epochs epochs finished by this process; a resumed run lists only those after the resume
   * @param bestCheckpoint checkpoint with the best validation metric, empty if none was validated
   * @param stoppedEarly whether early stopping ended the run
   */
  public record Outcome(
      List<EpochResult> epochs,
      double bestMetric,
      Optional<Path> bestCheckpoint,
      boolean stoppedEarly) {}

  private final Job job;
  private final RunOptions options;
  private final RunFolder folder;

  public TrainingRun(Job job, RunOptions options) {
    this.job = job;
    this.options = options;
    this.folder = new RunFolder(options.folder());
  }

  /** Trains until the last epoch or early stopping, then restores the best weights if asked. */
  public Outcome run() {
    TrainerState state = startState();
    List<EpochResult> results = new ArrayList<>();
    boolean stoppedEarly = false;
    try (RunRecorder recorder = RunRecorder.open(folder, options, state.step())) {
      while (!state.stopped() && state.epoch() < options.epochs()) {
        EpochOutcome outcome = trainEpoch(state, recorder);
        state = outcome.state();
        results.add(outcome.result());
        stoppedEarly = outcome.stoppedEarly();
      }
      recorder.finish();
    }
    Optional<Path> best =
        state.bestStep() < 0 ? Optional.empty() : Optional.of(folder.checkpoint(state.bestStep()));
    if (options.restoreBest() && best.isPresent()) {
      Checkpoints.restore(job.session().session(), best.get());
      log.info("Restored the best checkpoint {} (metric {})", best.get(), state.bestMetric());
    }
    return new Outcome(results, state.bestMetric(), best, stoppedEarly);
  }

  private TrainerState startState() {
    long seed = job.session().training().getSeed();
    Optional<Path> latest = folder.latestCheckpoint();
    if (!options.resume()) {
      if (latest.isPresent()) {
        throw new IllegalArgumentException(
            "run folder "
                + folder.root()
                + " already holds checkpoint "
                + latest.get()
                + "; pass --resume to continue it or choose another folder");
      }
      return TrainerState.initial(seed);
    }
    if (latest.isEmpty()) {
      log.info("No checkpoint in {}; starting a new run", folder.root());
      return TrainerState.initial(seed);
    }
    TrainerState state = RunFolder.readState(latest.get());
    if (state.seed() != seed) {
      throw new IllegalArgumentException(
          "seed must equal the resumed run's seed "
              + state.seed()
              + ", got "
              + seed
              + "; pass --seed "
              + state.seed());
    }
    Optional<ModelConfig> saved = RunFolder.readModelConfig(latest.get());
    if (saved.isPresent()) {
      requireSameModel(saved.get(), job.session().network().config(), latest.get());
    }
    Checkpoints.restore(job.session().session(), latest.get());
    job.resumeAt(state.step());
    job.schedule().restore(state.schedule());
    log.info(
        "Resumed from {}: epoch {}, update {} of the epoch, step {}",
        latest.get(),
        state.epoch() + 1,
        state.positionInEpoch(),
        state.step());
    return state;
  }

  /**
   * Rejects a resume whose model differs from the one that wrote {@code checkpoint}, naming every
   * field that differs. The kernel and matrix-product precision may change, because the weights do
   * not depend on them.
   */
  static void requireSameModel(ModelConfig saved, ModelConfig current, Path checkpoint) {
    ModelConfig before = saved.toBuilder().clearKernel().clearMatmulPrecision().build();
    ModelConfig now = current.toBuilder().clearKernel().clearMatmulPrecision().build();
    if (before.equals(now)) {
      return;
    }
    List<String> differences = new ArrayList<>();
    for (Descriptors.FieldDescriptor field : ModelConfig.getDescriptor().getFields()) {
      Object savedValue = before.getField(field);
      Object currentValue = now.getField(field);
      if (!savedValue.equals(currentValue)) {
        differences.add(
            field.getName() + " " + savedValue + " in the checkpoint, " + currentValue + " now");
      }
    }
    throw new IllegalArgumentException(
        "the model differs from the one that wrote "
            + checkpoint
            + ": "
            + String.join("; ", differences)
            + ". Resume with the same model options and config, or start in a new run folder");
  }

  private EpochOutcome trainEpoch(TrainerState state, RunRecorder recorder) {
    int epoch = state.epoch();
    TrainingPass pass = job.startEpoch(epoch);
    if (state.positionInEpoch() > 0) {
      Path latest = folder.checkpoint(state.step());
      pass.restore(
          new PassPosition(
              state.positionInEpoch(),
              state.passLossSum(),
              state.passLossWeight(),
              state.passTokens(),
              RunFolder.readCarriedState(latest)));
    }
    long started = System.nanoTime();
    int startPosition = pass.position();
    long startTokens = pass.tokens();
    recorder.startEpoch(epoch, pass.size(), pass.position());
    while (pass.hasNext()) {
      double loss;
      try {
        loss = pass.next();
      } catch (IllegalStateException e) {
        throw stopped(e);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      double tokensPerSecond = (pass.tokens() - startTokens) / Math.max(seconds, 1e-9);
      double secondsLeft =
          seconds / (pass.position() - startPosition) * (pass.size() - pass.position());
      recorder.step(
          epoch,
          job.step(),
          pass.position(),
          pass.size(),
          loss,
          pass.meanLoss(),
          job.schedule().rate(job.step() - 1),
          tokensPerSecond,
          secondsLeft);
      int every = options.checkpointEverySteps();
      if (every > 0 && job.step() % every == 0 && pass.hasNext()) {
        TrainerState inside = withPass(state, epoch, pass);
        folder.save(
            job.session().session(),
            inside,
            pass.snapshot().carriedState(),
            job.session().network().config());
        folder.prune(options.keepCheckpoints(), inside.bestStep());
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    double tokensPerSecond = (pass.tokens() - startTokens) / Math.max(seconds, 1e-9);
    recorder.endProgress();
    return finishEpoch(state, epoch, pass, seconds, tokensPerSecond, recorder);
  }

  private EpochOutcome finishEpoch(
      TrainerState state,
      int epoch,
      TrainingPass pass,
      double seconds,
      double tokensPerSecond,
      RunRecorder recorder) {
    Validation validation = job.validate();
    job.schedule().onValidation(validation.value());
    long step = job.step();
    boolean improved = validation.goal().isBetter(validation.value(), state.bestMetric());
    double best = improved ? validation.value() : state.bestMetric();
    long bestStep = improved ? step : state.bestStep();
    int without = improved ? 0 : state.epochsWithoutImprovement() + 1;
    boolean stoppedEarly = options.patience() > 0 && without >= options.patience();
    TrainerState next =
        new TrainerState(
            epoch + 1,
            0,
            step,
            0,
            0,
            0,
            job.schedule().state(),
            best,
            bestStep,
            without,
            state.seed(),
            stoppedEarly);
    folder.save(job.session().session(), next, null, job.session().network().config());
    folder.prune(options.keepCheckpoints(), bestStep);
    EpochResult result =
        new EpochResult(epoch, step, pass.meanLoss(), tokensPerSecond, seconds, validation);
    recorder.epoch(result);
    log.info(
        "Epoch {}: train loss {}, validation {} {}{}",
        epoch + 1,
        String.format("%.4f", pass.meanLoss()),
        validation.metric(),
        String.format("%.4f", validation.value()),
        improved ? " (best so far)" : "");
    if (stoppedEarly) {
      log.info(
          "Early stopping: no validation improvement for {} epochs; best {} {} at step {}",
          without,
          validation.metric(),
          best,
          bestStep);
    }
    return new EpochOutcome(next, result, stoppedEarly);
  }

  private TrainerState withPass(TrainerState state, int epoch, TrainingPass pass) {
    PassPosition position = pass.snapshot();
    return new TrainerState(
        epoch,
        position.position(),
        job.step(),
        position.lossSum(),
        position.lossWeight(),
        position.tokens(),
        job.schedule().state(),
        state.bestMetric(),
        state.bestStep(),
        state.epochsWithoutImprovement(),
        state.seed(),
        false);
  }

  private IllegalStateException stopped(IllegalStateException cause) {
    String checkpoint =
        folder.latestCheckpoint().map(Path::toString).orElse("none (no checkpoint was written)");
    return new IllegalStateException(
        cause.getMessage() + "; last checkpoint: " + checkpoint, cause);
  }

  /** Returns the metrics a task records besides its main one, in insertion order. */
  public static Map<String, Double> metrics(Object... namesAndValues) {
    Map<String, Double> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put((String) namesAndValues[i], ((Number) namesAndValues[i + 1]).doubleValue());
    }
    return map;
  }

  private record EpochOutcome(TrainerState state, EpochResult result, boolean stoppedEarly) {}
}
