package io.rnnkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.rnnkit.config.DeviceKind;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.model.ModelConfigs;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;

class SessionConfigsTest {

  private static TrainingConfig training(int intra, int inter, DeviceKind device) {
    return TrainingConfigs.withDefaults(
        TrainingConfig.newBuilder()
            .setIntraOpThreads(intra)
            .setInterOpThreads(inter)
            .setDevice(device)
            .build());
  }

  @Test
  void modelSessionOpensWithTheConfiguredThreads() {
    ModelConfig model =
        ModelConfigs.withDefaults(
            ModelConfig.newBuilder()
                .setTask(TaskKind.LANGUAGE_MODEL)
                .setEmbeddingSize(4)
                .setHiddenSize(4)
                .build());
    try (ModelSession session = ModelSession.create(model, training(1, 2, DeviceKind.CPU), 10)) {
      ConfigProto config = session.sessionConfig();
      assertEquals(1, config.getIntraOpParallelismThreads(), "intra-op threads");
      assertEquals(2, config.getInterOpParallelismThreads(), "inter-op threads");
      assertEquals(0, config.getDeviceCountOrDefault("GPU", -1), "CPU device hides every GPU");
      assertTrue(session.start() != null, "a session opens with these options");
    }
  }

  @Test
  void negativeThreadsAreRejected() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> SessionConfigs.of(training(-1, 0, DeviceKind.DEVICE_AUTO)));
    assertEquals("intra_op_threads must be >= 0, got -1", error.getMessage(), "message");
  }

  @Test
  void gpuWithoutGpuIsRejected() {
    assumeFalse(SessionConfigs.gpuPresent(), "this machine has a GPU");
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> SessionConfigs.of(training(0, 0, DeviceKind.GPU)));
    assertTrue(error.getMessage().contains("got GPU"), error.getMessage());
  }
}
