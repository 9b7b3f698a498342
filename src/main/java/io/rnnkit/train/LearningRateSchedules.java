package io.rnnkit.train;

import io.rnnkit.config.ScheduleConfig;
import io.rnnkit.config.ScheduleKind;
import io.rnnkit.config.TrainingConfig;
import java.util.Map;

/**
 * The learning-rate schedules of {@link ScheduleKind}. Every schedule counts steps from 0, the
 * first update, as {@link LearningRateSchedule#rate} does.
 */
public final class LearningRateSchedules {
  private LearningRateSchedules() {}

  /** Shape of the decay after warm-up. */
  public enum DecayShape {
    LINEAR,
    COSINE
  }

  /**
   * Builds the schedule of {@code config.schedule} around {@code config.learning_rate}.
   *
   * @param totalSteps updates in the whole run, used by the warm-up and slanted triangular
   *     schedules to place their end
   * @param goal direction of the validation metric, used by reduce-on-plateau
   */
  public static LearningRateSchedule fromConfig(
      TrainingConfig config, long totalSteps, MetricGoal goal) {
    TrainingConfigs.checkSchedule(config);
    ScheduleConfig schedule = config.getSchedule();
    float base = config.getLearningRate();
    float floor = schedule.getMinLearningRate();
    switch (schedule.getKind()) {
      case SCHEDULE_KIND_UNSPECIFIED:
      case CONSTANT:
        return LearningRateSchedule.constant(base);
      case STEP_DECAY:
        return stepDecay(base, decayFactor(schedule), schedule.getDecaySteps(), floor);
      case WARMUP_LINEAR:
        return warmup(base, schedule.getWarmupSteps(), totalSteps, DecayShape.LINEAR, floor);
      case WARMUP_COSINE:
        return warmup(base, schedule.getWarmupSteps(), totalSteps, DecayShape.COSINE, floor);
      case REDUCE_ON_PLATEAU:
        int patience = schedule.getPlateauPatience() == 0 ? 1 : schedule.getPlateauPatience();
        return new ReduceOnPlateau(base, decayFactor(schedule), patience, floor, goal);
      case SLANTED_TRIANGULAR:
        float cut = schedule.getCutFraction() == 0f ? 0.1f : schedule.getCutFraction();
        float ratio = schedule.getRatio() == 0f ? 32f : schedule.getRatio();
        return slantedTriangular(base, totalSteps, cut, ratio);
      default:
        throw new IllegalArgumentException(
            "schedule.kind "
                + schedule.getKindValue()
                + " is unknown; use one of CONSTANT,"
                + " STEP_DECAY, WARMUP_LINEAR, WARMUP_COSINE, REDUCE_ON_PLATEAU,"
                + " SLANTED_TRIANGULAR");
    }
  }

  private static float decayFactor(ScheduleConfig schedule) {
    return schedule.getDecayFactor() == 0f ? 0.5f : schedule.getDecayFactor();
  }

  /**
   * Returns {@code max(floor, base * factor^floor(step / decaySteps))}.
   *
   * @param factor in (0, 1)
   * @param decaySteps positive
   */
  public static LearningRateSchedule stepDecay(
      float base, float factor, long decaySteps, float floor) {
    requireFactor("schedule.decay_factor", factor);
    if (decaySteps <= 0) {
      throw new IllegalArgumentException(
          "schedule.decay_steps must be positive for STEP_DECAY, got " + decaySteps);
    }
    return step -> Math.max(floor, (float) (base * Math.pow(factor, step / decaySteps)));
  }

  /**
   * Rises linearly to {@code base} over {@code warmupSteps} (step {@code s < warmupSteps} gets
   * {@code base * (s + 1) / warmupSteps}), then decays to {@code floor}, which it reaches at step
   * {@code totalSteps} and keeps after.
   */
  public static LearningRateSchedule warmup(
      float base, long warmupSteps, long totalSteps, DecayShape shape, float floor) {
    if (warmupSteps < 0 || warmupSteps >= totalSteps) {
      throw new IllegalArgumentException(
          "schedule.warmup_steps must be in [0, total steps = "
              + totalSteps
              + "), got "
              + warmupSteps
              + "; lower warmup_steps or train more steps");
    }
    return step -> {
      if (step < warmupSteps) {
        return (float) ((double) base * (step + 1) / warmupSteps);
      }
      double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
      double remaining =
          shape == DecayShape.LINEAR ? 1.0 - progress : 0.5 * (1.0 + Math.cos(Math.PI * progress));
      return (float) (floor + (base - floor) * remaining);
    };
  }

  /**
   * Slanted triangular learning rates of Howard and Ruder, "Universal Language Model Fine-tuning
   * for Text Classification" (2018), equation 3: with {@code cut = floor(totalSteps *
   * cutFraction)}, {@code p = step / cut} while {@code step < cut}, else {@code 1 - (step - cut) /
   * (cut * (1 / cutFraction - 1))}, and the rate is {@code maxRate * (1 + p * (ratio - 1)) /
   * ratio}. Steps past the end keep the lowest rate, {@code maxRate / ratio}.
   */
  public static LearningRateSchedule slantedTriangular(
      float maxRate, long totalSteps, float cutFraction, float ratio) {
    if (!(cutFraction > 0f && cutFraction < 1f)) {
      throw new IllegalArgumentException(
          "schedule.cut_fraction must be in (0, 1), got " + cutFraction);
    }
    if (!(ratio >= 1f) || Float.isInfinite(ratio)) {
      throw new IllegalArgumentException("schedule.ratio must be >= 1, got " + ratio);
    }
    long cut = (long) Math.floor(totalSteps * (double) cutFraction);
    if (cut < 1) {
      throw new IllegalArgumentException(
          "SLANTED_TRIANGULAR needs total steps * cut_fraction >= 1, got "
              + totalSteps
              + " * "
              + cutFraction
              + "; train more steps or raise cut_fraction");
    }
    return step -> {
      double p;
      if (step < cut) {
        p = (double) step / cut;
      } else {
        p = Math.max(0.0, 1.0 - (double) (step - cut) / (cut * (1.0 / cutFraction - 1.0)));
      }
      return (float) (maxRate * (1.0 + p * (ratio - 1.0)) / ratio);
    };
  }

  private static void requireFactor(String field, float factor) {
    if (!(factor > 0f && factor < 1f)) {
      throw new IllegalArgumentException(field + " must be in (0, 1), got " + factor);
    }
  }

  /**
   * Multiplies the rate by {@code factor} (down to {@code floor}) once the validation metric has
   * not improved for {@code patience} epochs in a row, then waits another {@code patience} epochs.
   */
  public static final class ReduceOnPlateau implements LearningRateSchedule {
    private final float factor;
    private final int patience;
    private final float floor;
    private final MetricGoal goal;
    private float current;
    private double best = Double.NaN;
    private int epochsWithoutImprovement;

    public ReduceOnPlateau(float base, float factor, int patience, float floor, MetricGoal goal) {
      requireFactor("schedule.decay_factor", factor);
      if (patience < 1) {
        throw new IllegalArgumentException(
            "schedule.plateau_patience must be positive, got " + patience);
      }
      this.current = base;
      this.factor = factor;
      this.patience = patience;
      this.floor = floor;
      this.goal = goal;
    }

    @Override
    public float rate(long step) {
      return current;
    }

    @Override
    public void onValidation(double metric) {
      if (goal.isBetter(metric, best)) {
        best = metric;
        epochsWithoutImprovement = 0;
        return;
      }
      epochsWithoutImprovement++;
      if (epochsWithoutImprovement >= patience) {
        current = Math.max(floor, current * factor);
        epochsWithoutImprovement = 0;
      }
    }

    @Override
    public Map<String, Double> state() {
      return Map.of(
          "rate", (double) current,
          "best", best,
          "epochs_without_improvement", (double) epochsWithoutImprovement);
    }

    @Override
    public void restore(Map<String, Double> state) {
      current = state.get("rate").floatValue();
      best = state.get("best");
      epochsWithoutImprovement = state.get("epochs_without_improvement").intValue();
    }
  }
}
