package io.rnnkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rnnkit.config.DeviceKind;
import io.rnnkit.config.TrainingConfig;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Runs one LSTM-like graph in a CPU-only session and in a GPU session and compares the results.
 * Skipped on machines without a GPU; scripts/device-check.sh runs it with the gpu profile.
 */
class DeviceParityTest {

  @Test
  void cpuAndGpuSessionsAgree() {
    assumeTrue(SessionConfigs.gpuPresent(), "no GPU on this machine");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Random random = new Random(5);
      float[] x = new float[64 * 256];
      float[] w = new float[256 * 1024];
      for (int i = 0; i < x.length; i++) {
        x[i] = random.nextFloat() - 0.5f;
      }
      for (int i = 0; i < w.length; i++) {
        w[i] = (random.nextFloat() - 0.5f) / 16;
      }
      Operand<TFloat32> z =
          tf.linalg.matMul(
              tf.constant(Shape.of(64, 256), DataBuffers.of(x)),
              tf.constant(Shape.of(256, 1024), DataBuffers.of(w)));
      Operand<TFloat32> out = tf.reduceSum(tf.math.tanh(z), tf.constant(new int[] {0, 1}));
      float cpu = run(g, out, DeviceKind.CPU);
      float gpu = run(g, out, DeviceKind.GPU);
      assertEquals(cpu, gpu, 1e-3f * Math.max(1f, Math.abs(cpu)), "sum of tanh(x w) on CPU vs GPU");
    }
  }

  private static float run(Graph g, Operand<TFloat32> out, DeviceKind device) {
    TrainingConfig config = TrainingConfig.newBuilder().setDevice(device).build();
    try (Session session = new Session(g, SessionConfigs.of(config));
        Result result = session.runner().fetch(out).run()) {
      return ((TFloat32) result.get(0)).getFloat();
    }
  }
}
