package io.rnnkit.task;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.BpttLanes;
import io.rnnkit.data.Vocabulary;
import io.rnnkit.model.ModelConfigs;
import io.rnnkit.train.Checkpoints;
import io.rnnkit.train.LanguageModelTrainer;
import io.rnnkit.train.LanguageModelTrainer.PassStats;
import io.rnnkit.train.LearningRateSchedule;
import io.rnnkit.train.MetricGoal;
import io.rnnkit.train.ModelFiles;
import io.rnnkit.train.ModelSession;
import io.rnnkit.train.RunOptions;
import io.rnnkit.train.TrainingConfigs;
import io.rnnkit.train.TrainingPass;
import io.rnnkit.train.TrainingRun;
import java.nio.file.Path;

/**
 * A word-level language model trained with truncated BPTT: {@code B = batch_size} lanes, windows of
 * {@code T = bptt_steps} tokens.
 *
 * <pre>{@code
 * try (LanguageModelTask lm = LanguageModelTask.create(model, training, vocabulary)) {
 *   lm.trainEpoch(trainIds, trainDocumentStarts);
 *   double perplexity = lm.evaluate(validIds, validDocumentStarts).perplexity();
 *   lm.save(Path.of("runs/lm"));
 * }
 * }</pre>
 */
public final class LanguageModelTask implements AutoCloseable {

  private final ModelConfig model;
  private final TrainingConfig training;
  private final Vocabulary vocabulary;
  private final ModelSession session;
  private final LanguageModelTrainer trainer;

  private LanguageModelTask(ModelConfig model, TrainingConfig training, Vocabulary vocabulary) {
    this.model = model;
    this.training = training;
    this.vocabulary = vocabulary;
    this.session = ModelSession.create(model, training, vocabulary.size());
    this.trainer =
        new LanguageModelTrainer(
            session, LearningRateSchedule.constant(training.getLearningRate()));
    trainer.prepare(training.getBpttSteps());
    session.start();
  }

  /** Builds the model; unset config fields get their defaults and the task is set to LM. */
  public static LanguageModelTask create(
      ModelConfig model, TrainingConfig training, Vocabulary vocabulary) {
    ModelConfig resolved =
        ModelConfigs.withDefaults(model.toBuilder().setTask(TaskKind.LANGUAGE_MODEL).build());
    return new LanguageModelTask(resolved, TrainingConfigs.withDefaults(training), vocabulary);
  }

  /** Returns the resolved model configuration. */
  public ModelConfig modelConfig() {
    return model;
  }

  /** Trains one pass over {@code ids}, whose documents start at {@code documentStarts}. */
  public PassStats trainEpoch(int[] ids, int[] documentStarts) {
    BpttLanes lanes = new BpttLanes(ids, documentStarts, training.getBatchSize());
    return trainer.train(lanes, training.getBpttSteps(), training.getMaxStepsPerEpoch());
  }

  /** Returns the mean loss and perplexity over {@code ids}, with the state carried across. */
  public PassStats evaluate(int[] ids, int[] documentStarts) {
    BpttLanes lanes = new BpttLanes(ids, documentStarts, training.getBatchSize());
    return trainer.evaluate(lanes, training.getBpttSteps());
  }

  /**
   * Trains for the epochs of {@code options} with validation, early stopping, checkpoints and
   * resume in the run folder ({@link TrainingRun}). The learning rate follows {@code
   * training.schedule}; the best checkpoint is by validation perplexity.
   */
  public TrainingRun.Outcome fit(
      int[] trainIds,
      int[] trainDocumentStarts,
      int[] validationIds,
      int[] validationDocumentStarts,
      RunOptions options) {
    BpttLanes lanes = new BpttLanes(trainIds, trainDocumentStarts, training.getBatchSize());
    int windows = lanes.windowCount(training.getBpttSteps());
    TrainingSetup.setRunSchedule(trainer, training, windows, options, MetricGoal.MINIMIZE);
    TrainingRun.Job job =
        new TrainerJob(session, trainer) {
          @Override
          public TrainingPass startEpoch(int epoch) {
            return trainer.startPass(
                lanes, training.getBpttSteps(), training.getMaxStepsPerEpoch());
          }

          @Override
          public TrainingRun.Validation validate() {
            PassStats stats = evaluate(validationIds, validationDocumentStarts);
            return new TrainingRun.Validation(
                "perplexity",
                stats.perplexity(),
                MetricGoal.MINIMIZE,
                TrainingRun.metrics("loss", stats.meanLoss()));
          }
        };
    return new TrainingRun(job, options).run();
  }

  /** Returns the trainer, for stepping a pass by hand. */
  public LanguageModelTrainer trainer() {
    return trainer;
  }

  /** Returns the training session: graph, variables and optimizer. */
  public ModelSession session() {
    return session;
  }

  /** Returns the number of updates skipped for a non-finite loss or gradient norm. */
  public long skippedSteps() {
    return trainer.skippedSteps();
  }

  /** Saves checkpoint, vocabulary and config into {@code folder}. */
  public void save(Path folder) {
    ModelFiles.writeMetadata(folder, vocabulary, model);
    Checkpoints.save(session.session(), folder.resolve(ModelFiles.CHECKPOINT));
  }

  @Override
  public void close() {
    session.close();
  }
}
