package io.rnnkit.train;

import io.rnnkit.config.DeviceKind;
import io.rnnkit.config.TrainingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;

/**
 * Session options of a {@link TrainingConfig}: op threads and device. Graphs never pin ops to a
 * device. The device choice only decides which devices a session may use, so a graph trained on a
 * GPU exports and runs anywhere.
 */
public final class SessionConfigs {
  private SessionConfigs() {}

  /** Device file a CUDA GPU shows up as on Linux. */
  static final Path GPU_DEVICE_FILE = Path.of("/dev/nvidia0");

  /** Returns whether this machine shows a CUDA GPU. */
  public static boolean gpuPresent() {
    return Files.exists(GPU_DEVICE_FILE);
  }

  /**
   * Builds the session options of {@code training}.
   *
   * @throws IllegalArgumentException for negative thread counts, or for {@code GPU} on a machine
   *     without one
   */
  public static ConfigProto of(TrainingConfig training) {
    int intra = training.getIntraOpThreads();
    int inter = training.getInterOpThreads();
    if (intra < 0) {
      throw new IllegalArgumentException("intra_op_threads must be >= 0, got " + intra);
    }
    if (inter < 0) {
      throw new IllegalArgumentException("inter_op_threads must be >= 0, got " + inter);
    }
    ConfigProto.Builder config =
        ConfigProto.newBuilder()
            .setIntraOpParallelismThreads(intra)
            .setInterOpParallelismThreads(inter);
    DeviceKind device = training.getDevice();
    switch (device) {
      case CPU -> config.putDeviceCount("GPU", 0);
      case GPU -> {
        if (!gpuPresent()) {
          throw new IllegalArgumentException(
              "device must be CPU or AUTO on a machine without a GPU ("
                  + GPU_DEVICE_FILE
                  + " is missing), got GPU");
        }
        config
            .setAllowSoftPlacement(true)
            .setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true));
      }
      case DEVICE_AUTO -> config.setAllowSoftPlacement(true);
      default ->
          throw new IllegalArgumentException("device must be AUTO, CPU or GPU, got " + device);
    }
    return config.build();
  }
}
