package io.rnnkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InvalidArgumentsTest {

  @Test
  void invalidValue_printsErrorWithoutHelp() {
    CommandResult result = CommandResult.run("finetune", "--head-hidden-size", "abc");

    assertEquals(2, result.code(), "exit code of a usage error");
    assertTrue(
        result.errors().contains("Invalid value for option '--head-hidden-size': 'abc' is not"),
        result.errors());
    assertTrue(
        result.errors().contains("Run 'rnnkit finetune --help' for the options."), result.errors());
    assertFalse(result.errors().contains("Usage:"), "no full help: " + result.errors());
  }

  @Test
  void misspelledOption_suggestsTheRealOne() {
    CommandResult result = CommandResult.run("finetune", "--head-hiden-size", "3");

    assertEquals(2, result.code(), "exit code of a usage error");
    assertTrue(result.errors().contains("--head-hidden-size"), result.errors());
    assertFalse(result.errors().contains("Usage:"), "no full help: " + result.errors());
  }
}
