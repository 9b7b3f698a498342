package io.rnnkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.MatmulPrecision;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.RecurrentKernel;
import io.rnnkit.config.RunConfig;
import io.rnnkit.config.TaskKind;
import io.rnnkit.model.ModelConfigs;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MatmulPrecisionOptionTest {

  private static RunConfig parse(String... args) {
    ConfigOptions options = new ConfigOptions();
    new CommandLine(options).parseArgs(args);
    return options.resolve(RunConfig.getDefaultInstance());
  }

  private static ModelConfig languageModel() {
    return ModelConfigs.withDefaults(
        ModelConfig.newBuilder().setTask(TaskKind.LANGUAGE_MODEL).build());
  }

  @Test
  void flagSetsField() {
    RunConfig run = parse("--matmul-precision", "bfloat16");
    assertEquals(
        MatmulPrecision.BFLOAT16,
        run.getModel().getMatmulPrecision(),
        "matmul_precision from --matmul-precision bfloat16");
  }

  @Test
  void defaultIsFloat32() {
    RunConfig run = parse("--hidden-size", "8");
    assertEquals(
        MatmulPrecision.FLOAT32, run.getModel().getMatmulPrecision(), "matmul_precision default");
  }

  @Test
  void unknownFlagValueRejected() {
    CommandLine.ParameterException error =
        assertThrows(
            CommandLine.ParameterException.class, () -> parse("--matmul-precision", "float16"));
    assertTrue(
        error.getMessage().contains("float16"),
        "message names the rejected value: " + error.getMessage());
    assertTrue(
        error.getMessage().contains("[float32, bfloat16]"),
        "message lists the accepted values: " + error.getMessage());
  }

  @Test
  void unknownEnumNumberRejected() {
    ModelConfig config = languageModel().toBuilder().setMatmulPrecisionValue(7).build();
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> ModelConfigs.validate(config));
    assertEquals(
        "matmul_precision must be FLOAT32 or BFLOAT16, got the unknown enum number 7",
        error.getMessage(),
        "message of an unknown matmul_precision number");
  }

  @Test
  void fusedKernelWithBfloat16Rejected() {
    ModelConfig config =
        languageModel().toBuilder()
            .setKernel(RecurrentKernel.FUSED)
            .setMatmulPrecision(MatmulPrecision.BFLOAT16)
            .build();
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> ModelConfigs.validate(config));
    assertTrue(
        error.getMessage().startsWith("kernel must be UNROLLED or RECURRENT_KERNEL_AUTO"),
        "message names the field and its constraint: " + error.getMessage());
    assertTrue(
        error.getMessage().contains("--matmul-precision float32"),
        "message says how to fix it: " + error.getMessage());
  }

  @Test
  void bfloat16WithAutoKernelAccepted() {
    ModelConfig config =
        languageModel().toBuilder().setMatmulPrecision(MatmulPrecision.BFLOAT16).build();
    assertEquals(config, ModelConfigs.validate(config), "validate returns a valid config as is");
  }
}
