package io.rnnkit.train;

import java.util.Map;

/**
 * Everything besides the variables that a resumed run needs to continue exactly, written as {@code
 * trainer_state.json} next to the variables of each checkpoint.
 *
 * @param epoch epoch in progress, counting from 0; equals the epoch count once training is done
 * @param positionInEpoch updates of {@code epoch} run so far; the data order of an epoch is a
 *     function of the seed and the epoch, so this position fixes the next batch
 * @param step updates attempted over the whole run, applied or skipped; it feeds the schedule and
 *     the dropout seed
 * @param passLossSum running loss sum of the epoch in progress
 * @param passLossWeight running weight (tokens or rows) of that sum
 * @param passTokens real tokens of the epoch in progress read so far
 * @param schedule state of the learning-rate schedule ({@link LearningRateSchedule#state()})
 * @param bestMetric best validation metric so far, NaN before the first validation
 * @param bestStep step of the checkpoint with {@code bestMetric}, -1 before the first validation
 * @param epochsWithoutImprovement epochs since the last improvement, for early stopping
 * @param seed seed of the run, checked on resume
 * @param stopped whether training finished, by early stopping or after the last epoch
 */
public record TrainerState(
    int epoch,
    int positionInEpoch,
    long step,
    double passLossSum,
    double passLossWeight,
    long passTokens,
    Map<String, Double> schedule,
    double bestMetric,
    long bestStep,
    int epochsWithoutImprovement,
    long seed,
    boolean stopped) {

  /** Returns the state of a run that has not started. */
  public static TrainerState initial(long seed) {
    return new TrainerState(0, 0, 0, 0, 0, 0, Map.of(), Double.NaN, -1, 0, seed, false);
  }
}
