package io.rnnkit.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Helpers of the tests that compare two kernels or two forms of the same recurrence. */
final class KernelAgreement {
  private KernelAgreement() {}

  /** Largest relative difference two kernels may show, relative to {@code max(1, |value|)}. */
  static final double TOLERANCE = 1e-5;

  /** Returns a constant of {@code shape} with values uniform in {@code [-scale, scale)}. */
  static Operand<TFloat32> randomConstant(Ops tf, Random random, float scale, long... shape) {
    Shape s = Shape.of(shape);
    return tf.constant(s, DataBuffers.of(randomValues(random, (int) s.size(), scale), true, false));
  }

  /** Returns {@code count} values uniform in {@code [-scale, scale)}. */
  static float[] randomValues(Random random, int count, float scale) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
    }
    return values;
  }

  /** Returns the number of ops of {@code type} in {@code graph}. */
  static int countOps(Graph graph, String type) {
    int count = 0;
    var it = graph.operations();
    while (it.hasNext()) {
      if (((GraphOperation) it.next()).type().equals(type)) {
        count++;
      }
    }
    return count;
  }

  /**
   * Asserts that {@code got} equals {@code want} within {@link #TOLERANCE} and that {@code want} is
   * not all zeros, which would make the comparison pass for any kernel.
   */
  static void assertClose(float[] want, float[] got, String label) {
    assertEquals(want.length, got.length, label + ": number of values");
    double worst = 0;
    double size = 0;
    for (int i = 0; i < want.length; i++) {
      worst = Math.max(worst, Math.abs(want[i] - got[i]) / Math.max(1, Math.abs(want[i])));
      size = Math.max(size, Math.abs(want[i]));
    }
    assertTrue(worst <= TOLERANCE, label + ": largest difference " + worst + " > " + TOLERANCE);
    assertTrue(size > 1e-3, label + ": reference values are not all zero, largest " + size);
  }
}
