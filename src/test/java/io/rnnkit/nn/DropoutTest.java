package io.rnnkit.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class DropoutTest {

  @Test
  void maskIsScaledAndSeeded() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> ones = tf.fill(tf.constant(new int[] {1000}), tf.constant(1f));
      Operand<TFloat32> first = Dropout.apply(tf, ones, 0.25f, tf.constant(new long[] {3, 4}));
      Operand<TFloat32> again = Dropout.apply(tf, ones, 0.25f, tf.constant(new long[] {3, 4}));
      try (GraphRunner runner = new GraphRunner(g)) {
        List<float[]> values = runner.fetch(List.of(first, again));
        int dropped = 0;
        for (float v : values.get(0)) {
          assertTrue(
              v == 0f || Math.abs(v - 4f / 3f) < 1e-6, "mask value is 0 or 1/(1-rate): " + v);
          dropped += v == 0f ? 1 : 0;
        }
        assertTrue(dropped > 150, "about 25% dropped, got " + dropped + "/1000");
        assertTrue(dropped < 350, "about 25% dropped, got " + dropped + "/1000");
        assertArrayEquals(values.get(0), values.get(1), "same seed gives the same mask");
      }
    }
  }

  @Test
  void zeroRateReturnsInput() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.constant(new float[] {1, 2});
      assertEquals(x, Dropout.apply(tf, x, 0f, tf.constant(new long[] {1, 2})), "no op at rate 0");
    }
  }
}
