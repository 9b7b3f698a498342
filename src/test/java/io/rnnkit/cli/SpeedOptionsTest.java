package io.rnnkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rnnkit.config.DeviceKind;
import io.rnnkit.config.RecurrentKernel;
import io.rnnkit.config.RunConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SpeedOptionsTest {

  private static RunConfig parse(String... args) {
    ConfigOptions options = new ConfigOptions();
    new CommandLine(options).parseArgs(args);
    return options.resolve(RunConfig.getDefaultInstance());
  }

  @Test
  void speedFlagsSetTheirFields() {
    RunConfig run =
        parse("--threads", "3", "--kernel", "fused", "--device", "cpu", "--sampled-softmax", "512");
    assertEquals(3, run.getTraining().getIntraOpThreads(), "intra-op threads from --threads");
    assertEquals(3, run.getTraining().getInterOpThreads(), "inter-op threads from --threads");
    assertEquals(RecurrentKernel.FUSED, run.getModel().getKernel(), "kernel from --kernel");
    assertEquals(DeviceKind.CPU, run.getTraining().getDevice(), "device from --device");
    assertEquals(512, run.getTraining().getSampledSoftmax(), "samples from --sampled-softmax");
  }

  @Test
  void withoutSpeedFlagsTheDefaultsStay() {
    RunConfig run = parse("--hidden-size", "8");
    assertEquals(0, run.getTraining().getIntraOpThreads(), "TensorFlow picks the threads");
    assertEquals(
        RecurrentKernel.RECURRENT_KERNEL_AUTO, run.getModel().getKernel(), "kernel is AUTO");
    assertEquals(DeviceKind.DEVICE_AUTO, run.getTraining().getDevice(), "device is AUTO");
  }
}
