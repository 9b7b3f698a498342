package io.rnnkit.nn;

/** Argument checks shared by the layers; every message names the argument and its value. */
final class Checks {
  private Checks() {}

  static int positive(String argument, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(argument + " must be positive, got " + value);
    }
    return value;
  }

  static float rate(String argument, float value) {
    if (!(value >= 0f && value < 1f)) {
      throw new IllegalArgumentException(argument + " must be in [0, 1), got " + value);
    }
    return value;
  }

  static String scopeName(String argument, String value) {
    if (value == null || value.isEmpty() || !value.matches("[A-Za-z0-9_.\\-/]+")) {
      throw new IllegalArgumentException(
          argument
              + " must be a non-empty name of letters, digits, '_', '.', '-' or '/', got "
              + value);
    }
    return value;
  }
}
