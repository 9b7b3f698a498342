package io.rnnkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.ScheduleConfig;
import io.rnnkit.config.ScheduleKind;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.train.LearningRateSchedules.DecayShape;
import org.junit.jupiter.api.Test;

class LearningRateSchedulesTest {

  private static final float EPS = 1e-7f;

  @Test
  void constant_sameRateEveryStep() {
    LearningRateSchedule schedule = config(ScheduleConfig.newBuilder(), 100);
    assertEquals(0.1f, schedule.rate(0), "step 0");
    assertEquals(0.1f, schedule.rate(1_000_000), "step 1e6");
  }

  @Test
  void stepDecay_halvesEveryDecaySteps() {
    LearningRateSchedule schedule =
        config(
            ScheduleConfig.newBuilder()
                .setKind(ScheduleKind.STEP_DECAY)
                .setDecayFactor(0.5f)
                .setDecaySteps(10),
            100);
    assertEquals(0.1f, schedule.rate(0), EPS, "step 0");
    assertEquals(0.1f, schedule.rate(9), EPS, "step 9, before the first decay");
    assertEquals(0.05f, schedule.rate(10), EPS, "step 10");
    assertEquals(0.025f, schedule.rate(25), EPS, "step 25");
  }

  @Test
  void stepDecay_stopsAtFloor() {
    LearningRateSchedule schedule = LearningRateSchedules.stepDecay(0.1f, 0.5f, 1, 0.02f);
    assertEquals(0.025f, schedule.rate(2), EPS, "step 2");
    assertEquals(0.02f, schedule.rate(3), EPS, "step 3 would be 0.0125, below the floor");
  }

  @Test
  void warmupLinear_risesThenFallsToFloor() {
    LearningRateSchedule schedule =
        LearningRateSchedules.warmup(0.1f, 10, 110, DecayShape.LINEAR, 0f);
    assertEquals(0.01f, schedule.rate(0), EPS, "step 0 is 1/10 of the peak");
    assertEquals(0.05f, schedule.rate(4), EPS, "step 4");
    assertEquals(0.1f, schedule.rate(9), EPS, "last warm-up step reaches the peak");
    assertEquals(0.1f, schedule.rate(10), EPS, "first decay step");
    assertEquals(0.05f, schedule.rate(60), EPS, "half-way through the decay");
    assertEquals(0.001f, schedule.rate(109), EPS, "last step");
    assertEquals(0f, schedule.rate(110), EPS, "end of the run");
    assertEquals(0f, schedule.rate(500), EPS, "past the end");
  }

  @Test
  void warmupCosine_followsHalfCosine() {
    LearningRateSchedule schedule =
        LearningRateSchedules.warmup(0.1f, 0, 100, DecayShape.COSINE, 0.01f);
    assertEquals(0.1f, schedule.rate(0), EPS, "no warm-up: starts at the peak");
    assertEquals(0.055f, schedule.rate(50), EPS, "half-way: mid-point of peak and floor");
    double quarter = 0.01 + 0.09 * 0.5 * (1 + Math.cos(Math.PI * 0.25));
    assertEquals((float) quarter, schedule.rate(25), EPS, "quarter-way");
    assertEquals(0.01f, schedule.rate(100), EPS, "end reaches the floor");
  }

  @Test
  void slantedTriangular_matchesHowardAndRuder() {
    LearningRateSchedule schedule =
        config(ScheduleConfig.newBuilder().setKind(ScheduleKind.SLANTED_TRIANGULAR), 1000);
    // T = 1000, cut_frac = 0.1, ratio = 32: cut = 100.
    assertEquals(0.1f / 32, schedule.rate(0), EPS, "step 0 is max / ratio");
    assertEquals(0.1f * (1 + 0.5f * 31) / 32, schedule.rate(50), EPS, "half-way up");
    assertEquals(0.1f, schedule.rate(100), EPS, "the peak at cut");
    assertEquals(0.1f * (1 + 0.5f * 31) / 32, schedule.rate(550), EPS, "half-way down");
    assertEquals(0.1f / 32, schedule.rate(1000), EPS, "the end");
    assertEquals(0.1f / 32, schedule.rate(5000), EPS, "past the end");
  }

  @Test
  void reduceOnPlateau_decaysAfterPatienceEpochs() {
    LearningRateSchedule schedule =
        config(
            ScheduleConfig.newBuilder()
                .setKind(ScheduleKind.REDUCE_ON_PLATEAU)
                .setDecayFactor(0.1f)
                .setPlateauPatience(2),
            100);
    schedule.onValidation(100);
    schedule.onValidation(90);
    assertEquals(0.1f, schedule.rate(5), EPS, "improving: no decay");
    schedule.onValidation(95);
    assertEquals(0.1f, schedule.rate(5), EPS, "one epoch without improvement");
    schedule.onValidation(90);
    assertEquals(0.01f, schedule.rate(5), EPS, "two epochs without improvement: decay");
    schedule.onValidation(91);
    assertEquals(0.01f, schedule.rate(5), EPS, "the count restarts after a decay");
  }

  @Test
  void reduceOnPlateau_stateRoundTrips() {
    var first = new LearningRateSchedules.ReduceOnPlateau(1f, 0.5f, 1, 0f, MetricGoal.MAXIMIZE);
    first.onValidation(0.8);
    first.onValidation(0.7);
    var second = new LearningRateSchedules.ReduceOnPlateau(1f, 0.5f, 1, 0f, MetricGoal.MAXIMIZE);
    second.restore(first.state());
    assertEquals(0.5f, second.rate(0), "restored rate");
    second.onValidation(0.75);
    assertEquals(0.25f, second.rate(0), "restored best 0.8 makes 0.75 a plateau");
  }

  @Test
  void invalidSettings_nameFieldAndValue() {
    var error =
        assertThrows(
            IllegalArgumentException.class,
            () -> LearningRateSchedules.stepDecay(0.1f, 1.5f, 10, 0f),
            "factor above 1");
    assertTrue(error.getMessage().contains("decay_factor must be in (0, 1), got 1.5"), "message");
    error =
        assertThrows(
            IllegalArgumentException.class,
            () -> LearningRateSchedules.warmup(0.1f, 50, 50, DecayShape.LINEAR, 0f),
            "warm-up as long as the run");
    assertTrue(error.getMessage().contains("warmup_steps"), error.getMessage());
    error =
        assertThrows(
            IllegalArgumentException.class,
            () -> config(ScheduleConfig.newBuilder().setMinLearningRate(0.5f), 10),
            "floor above the base rate");
    assertTrue(error.getMessage().contains("min_learning_rate"), error.getMessage());
  }

  private static LearningRateSchedule config(ScheduleConfig.Builder schedule, long totalSteps) {
    TrainingConfig training =
        TrainingConfig.newBuilder().setLearningRate(0.1f).setSchedule(schedule).build();
    return LearningRateSchedules.fromConfig(training, totalSteps, MetricGoal.MINIMIZE);
  }
}
