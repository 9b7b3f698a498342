package io.rnnkit.checkpoint;

/** Size checks shared by the layout translators. */
final class Shapes {
  private Shapes() {}

  static void checkLength(String what, float[] values, long expected) {
    if (values == null) {
      throw new IllegalArgumentException(what + " is missing (null)");
    }
    if (values.length != expected) {
      throw new IllegalArgumentException(
          what + " has " + values.length + " values, expected " + expected);
    }
  }

  static void checkPositive(int inputSize, int units) {
    if (inputSize <= 0 || units <= 0) {
      throw new IllegalArgumentException(
          "input size and units must be positive, got input size "
              + inputSize
              + " and units "
              + units);
    }
  }
}
