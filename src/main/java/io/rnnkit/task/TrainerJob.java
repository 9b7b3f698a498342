package io.rnnkit.task;

import io.rnnkit.train.AbstractTrainer;
import io.rnnkit.train.LearningRateSchedule;
import io.rnnkit.train.ModelSession;
import io.rnnkit.train.TrainingRun;

/**
 * Base of the tasks' training jobs: the session, and the step count and schedule of the trainer. A
 * task adds how an epoch starts and how it validates.
 */
abstract class TrainerJob implements TrainingRun.Job {

  private final ModelSession session;
  private final AbstractTrainer trainer;

  TrainerJob(ModelSession session, AbstractTrainer trainer) {
    this.session = session;
    this.trainer = trainer;
  }

  @Override
  public ModelSession session() {
    return session;
  }

  @Override
  public long step() {
    return trainer.step();
  }

  @Override
  public void resumeAt(long step) {
    trainer.resumeAt(step);
  }

  @Override
  public LearningRateSchedule schedule() {
    return trainer.schedule();
  }
}
