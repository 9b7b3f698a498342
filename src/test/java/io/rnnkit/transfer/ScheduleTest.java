package io.rnnkit.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Slanted triangular rates, discriminative rates and unfreezing at given steps and epochs. */
class ScheduleTest {

  @Test
  void slantedTriangular_valuesAtGivenSteps() {
    SlantedTriangular stlr = new SlantedTriangular(100, 0.1, 32);
    // cut = 10: warm-up over steps 0..9, peak at 10, back to 1/32 at step 100.
    assertEquals(1.0 / 32, stlr.multiplier(0), 1e-12, "step 0 starts at 1/ratio");
    assertEquals(16.5 / 32, stlr.multiplier(5), 1e-12, "step 5 is halfway up");
    assertEquals(1.0, stlr.multiplier(10), 1e-12, "step 10 is the peak");
    assertEquals(16.5 / 32, stlr.multiplier(55), 1e-12, "step 55 is halfway down");
    assertEquals(1.0 / 32, stlr.multiplier(100), 1e-12, "step 100 is back at 1/ratio");
    assertEquals(1.0 / 32, stlr.multiplier(250), 1e-12, "steps past the end keep 1/ratio");
  }

  @Test
  void ulmfit_discriminativeRatesWithSlantedTriangular() {
    UlmfitSchedule schedule =
        new UlmfitSchedule(4, 0.01f, 2.6f, Unfreezing.NONE, new SlantedTriangular(100, 0.1, 32));
    float[] peak = schedule.rates(10, 0);
    assertEquals(0.01f, peak[3], 1e-9f, "the head gets the base rate at the peak");
    assertEquals(0.01f / 2.6f, peak[2], 1e-9f, "the top layer gets rate / 2.6");
    assertEquals(0.01f / 6.76f, peak[1], 1e-9f, "the next layer gets rate / 2.6^2");
    assertEquals(0.01f / 17.576f, peak[0], 1e-9f, "the embedding gets rate / 2.6^3");
    float[] start = schedule.rates(0, 0);
    assertEquals(0.01f / 32, start[3], 1e-10f, "the head starts at rate / 32");
    assertEquals(
        0.01f / 32 / 17.576f, start[0], 1e-11f, "the embedding starts at rate / 32 / 2.6^3");
  }

  @Test
  void ulmfit_factorOneGivesEqualRates() {
    UlmfitSchedule schedule = new UlmfitSchedule(3, 0.5f, 1f, Unfreezing.NONE, null);
    assertArrayEquals(
        new float[] {0.5f, 0.5f, 0.5f}, schedule.rates(7, 2), "factor 1 and no STLR: constant");
  }

  @Test
  void gradualUnfreezing_oneMoreGroupPerEpoch() {
    assertArrayEquals(
        new boolean[] {false, false, false, true},
        Unfreezing.GRADUAL.enabled(4, 0),
        "epoch 0: head only");
    assertArrayEquals(
        new boolean[] {false, false, true, true},
        Unfreezing.GRADUAL.enabled(4, 1),
        "epoch 1: head and top layer");
    assertArrayEquals(
        new boolean[] {false, true, true, true},
        Unfreezing.GRADUAL.enabled(4, 2),
        "epoch 2: down to the first layer");
    assertArrayEquals(
        new boolean[] {true, true, true, true},
        Unfreezing.GRADUAL.enabled(4, 3),
        "epoch 3: everything");
    assertArrayEquals(
        new boolean[] {true, true, true, true},
        Unfreezing.GRADUAL.enabled(4, 9),
        "later epochs: everything");
  }

  @Test
  void headOnlyAndNone_fixedOverEpochs() {
    assertArrayEquals(
        new boolean[] {false, false, true}, Unfreezing.HEAD_ONLY.enabled(3, 5), "head only");
    assertArrayEquals(
        new boolean[] {true, true, true}, Unfreezing.NONE.enabled(3, 0), "all groups");
  }

  @Test
  void gradualUnfreezing_needsOneEpochPerGroup() {
    IllegalArgumentException tooShort =
        assertThrows(
            IllegalArgumentException.class,
            () -> Unfreezing.GRADUAL.requireEveryGroupTrains(3, 2),
            "2 epochs leave the embedding of 3 groups frozen");
    assertEquals(
        "epochs must be at least 3 for GRADUAL unfreezing of 3 layer groups, because the bottom"
            + " group first trains in epoch 3; got 2. Train for more epochs or use NONE",
        tooShort.getMessage(),
        "the message names the minimum and the value");
    assertDoesNotThrow(
        () -> Unfreezing.GRADUAL.requireEveryGroupTrains(3, 3), "3 epochs reach the embedding");
    assertDoesNotThrow(
        () -> Unfreezing.NONE.requireEveryGroupTrains(3, 1), "NONE trains everything at once");
    assertDoesNotThrow(
        () -> Unfreezing.HEAD_ONLY.requireEveryGroupTrains(3, 1), "HEAD_ONLY freezes on purpose");
  }

  @Test
  void invalidArguments_failWithValue() {
    IllegalArgumentException factor =
        assertThrows(
            IllegalArgumentException.class,
            () -> new UlmfitSchedule(3, 0.1f, 0.5f, Unfreezing.NONE, null));
    assertEquals(
        "discriminative factor must be at least 1 and finite, got 0.5",
        factor.getMessage(),
        "factor below 1");
    IllegalArgumentException cut =
        assertThrows(IllegalArgumentException.class, () -> new SlantedTriangular(10, 1.5, 32));
    assertEquals("cutFraction must be in (0, 1), got 1.5", cut.getMessage(), "cut fraction");
  }
}
