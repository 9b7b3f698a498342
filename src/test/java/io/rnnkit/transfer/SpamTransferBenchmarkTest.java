package io.rnnkit.transfer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.transfer.SpamTransferBenchmark.Recipe;
import org.junit.jupiter.api.Test;

/** Epoch counts and recipe parsing of the spam transfer benchmark. */
class SpamTransferBenchmarkTest {

  @Test
  void epochs_atLeastOnePerLayerGroup() {
    assertEquals(10, SpamTransferBenchmark.epochs(50), "small sets are capped at 10 epochs");
    assertEquals(10, SpamTransferBenchmark.epochs(200), "200 mails: 2000 / 200");
    assertEquals(3, SpamTransferBenchmark.epochs(1000), "1000 mails: raised from 2 to 3");
    assertEquals(3, SpamTransferBenchmark.epochs(4837), "all mails: 3");
    assertDoesNotThrow(
        () -> Unfreezing.GRADUAL.requireEveryGroupTrains(3, SpamTransferBenchmark.epochs(4837)),
        "gradual unfreezing of embedding, LSTM and head reaches the embedding");
  }

  @Test
  void recipe_parsesEachPart() {
    Recipe recipe = Recipe.parse("0.01:2.6:GRADUAL");
    assertEquals(0.01f, recipe.peakRate(), "peak rate");
    assertEquals(2.6f, recipe.factor(), "factor");
    assertEquals(Unfreezing.GRADUAL, recipe.unfreezing(), "unfreezing");
    assertTrue(recipe.slanted(), "slanted triangular by default");
    assertFalse(Recipe.parse("0.003:1:HEAD_ONLY:constant").slanted(), "constant rate");
    assertNull(Recipe.parse("-"), "- skips the arm");
  }

  @Test
  void recipe_invalidFailsWithValue() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> Recipe.parse("0.01:NONE"));
    assertEquals(
        "recipe must be PEAK_RATE:FACTOR:UNFREEZING[:constant], for example 0.01:1:NONE, got"
            + " 0.01:NONE",
        error.getMessage(),
        "the message shows the format and the value");
  }
}
