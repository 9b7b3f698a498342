package io.rnnkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.CellKind;
import io.rnnkit.config.RunConfig;
import io.rnnkit.config.TaskKind;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigOptionsTest {

  @TempDir Path folder;
  private Path configFile;
  private Path missingData;

  @Test
  void resolve_flagOverridesFile() throws Exception {
    Path file = folder.resolve("run.pbtxt");
    Files.writeString(
        file, "model { hidden_size: 32 embedding_size: 16 } training { learning_rate: 0.5 }");
    ConfigOptions options = new ConfigOptions();
    new CommandLine(options)
        .parseArgs("--config", file.toString(), "--hidden-size", "64", "--cell", "GRU");
    RunConfig run = options.resolve(RunConfig.getDefaultInstance());
    assertEquals(64, run.getModel().getHiddenSize(), "flag wins over the file");
    assertEquals(16, run.getModel().getEmbeddingSize(), "file value kept");
    assertEquals(0.5f, run.getTraining().getLearningRate(), "file value kept");
    assertEquals(CellKind.GRU, run.getModel().getCell(), "enum flag");
  }

  @Test
  void readConfig_unknownField_namesIt() throws Exception {
    Path file = folder.resolve("bad.pbtxt");
    Files.writeString(file, "model { hiden_size: 32 }");
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> ConfigOptions.readConfig(file));
    assertTrue(error.getMessage().contains("hiden_size"), error.getMessage());
    assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
  }

  @Test
  void pretrain_missingCorpus_clearErrorAndExitCode() {
    Path missing = folder.resolve("no-such-corpus");
    java.io.StringWriter err = new java.io.StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setErr(new java.io.PrintWriter(err));
    int code =
        commandLine.execute(
            "pretrain", "--corpus", missing.toString(), "--out", folder.resolve("out").toString());
    assertEquals(2, code, "exit code of a usage error");
    assertTrue(err.toString().contains(missing.toString()), err.toString());
    assertTrue(err.toString().contains("fetch-data.sh"), err.toString());
  }

  @Test
  void pretrain_invalidConfigFailsEarly() throws Exception {
    CommandResult result =
        runWithMissingData("pretrain", "--text", "model { head_hidden_size: 4 }");

    assertEquals(2, result.code(), "exit code of a usage error");
    assertTrue(result.errors().contains("config file " + configFile), result.errors());
    assertTrue(
        result.errors().contains("head_hidden_size applies to a CLASSIFIER only, got 4"),
        result.errors());
    assertFalse(result.errors().contains(missingData.toString()), "text not read yet");
  }

  @Test
  void tagTrain_invalidConfigFailsEarly() throws Exception {
    CommandResult result =
        runWithMissingData("tag-train", "--corpus", "training { bptt_steps: -5 }");

    assertEquals(2, result.code(), "exit code of a usage error");
    assertTrue(result.errors().contains("config file " + configFile), result.errors());
    assertTrue(result.errors().contains("bptt_steps must be positive, got -5"), result.errors());
    assertFalse(result.errors().contains(missingData.toString()), "corpus not read yet");
  }

  @Test
  void pretrain_invalidTrainingFieldFailsEarly() throws Exception {
    CommandResult result =
        runWithMissingData("pretrain", "--text", "training { weight_decay: -1 }");

    assertEquals(2, result.code(), "exit code of a usage error");
    assertTrue(result.errors().contains("weight_decay must be >= 0, got -1.0"), result.errors());
    assertFalse(result.errors().contains(missingData.toString()), "text not read yet");
  }

  /**
   * Runs {@code command} with a config file holding {@code config} and {@code dataFlag} naming a
   * path that does not exist, so that only a check before reading the data can produce the error.
   */
  private CommandResult runWithMissingData(String command, String dataFlag, String config)
      throws Exception {
    configFile = Files.writeString(folder.resolve(command + ".pbtxt"), config);
    missingData = folder.resolve("no-such-data");
    return CommandResult.run(
        command,
        "--config",
        configFile.toString(),
        dataFlag,
        missingData.toString(),
        "--out",
        folder.resolve(command + "-out").toString());
  }

  @Test
  void check_vocabularyBlockRejected() throws Exception {
    Path file = folder.resolve("vocabulary.pbtxt");
    Files.writeString(file, "model { vocabulary { min_count: 5 } }");
    ConfigOptions options = new ConfigOptions();
    new CommandLine(options).parseArgs("--config", file.toString());
    RunConfig run = options.resolve(RunConfig.getDefaultInstance());

    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> options.check(run.getModel(), run.getTraining(), TaskKind.LANGUAGE_MODEL));

    assertTrue(
        error.getMessage().contains("model.vocabulary is not read by the command line"),
        error.getMessage());
    assertTrue(error.getMessage().contains("--min-count"), error.getMessage());
  }

  @Test
  void check_negativeHeadNamesFile() throws Exception {
    Path file = folder.resolve("classifier.pbtxt");
    Files.writeString(file, "model { head_hidden_size: -3 }");
    ConfigOptions options = new ConfigOptions();
    new CommandLine(options).parseArgs("--config", file.toString());
    RunConfig run = options.resolve(RunConfig.getDefaultInstance());

    options.check(
        run.getModel().toBuilder().setHeadHiddenSize(8).build(),
        run.getTraining(),
        TaskKind.CLASSIFIER);
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> options.check(run.getModel(), run.getTraining(), TaskKind.CLASSIFIER));

    assertTrue(error.getMessage().contains("config file " + file), error.getMessage());
    assertTrue(error.getMessage().contains("got -3"), error.getMessage());
  }

  @Test
  void resolve_zeroSize_rejected() {
    ConfigOptions options = new ConfigOptions();
    new CommandLine(options).parseArgs("--hidden-size", "0");
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> options.resolve(RunConfig.getDefaultInstance()));
    assertEquals("--hidden-size must be positive, got 0", error.getMessage());
  }

  @Test
  void resolve_unspecifiedCell_rejected() {
    ConfigOptions options = new ConfigOptions();
    new CommandLine(options).parseArgs("--cell", "CELL_KIND_UNSPECIFIED");
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> options.resolve(RunConfig.getDefaultInstance()));
    assertTrue(
        error.getMessage().startsWith("--cell must be LSTM, GRU or SIMPLE_RNN"),
        error.getMessage());
  }

  @Test
  void exportHelp_printsUsage() {
    java.io.StringWriter out = new java.io.StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new java.io.PrintWriter(out));
    int code = commandLine.execute("export", "--help");
    assertEquals(0, code, "export --help exits 0");
    assertTrue(out.toString().contains("--model-folder"), out.toString());
  }

  @Test
  void pretrain_existingModelFolder_rejected() throws Exception {
    Path existing = Files.createDirectories(folder.resolve("lm"));
    Files.writeString(existing.resolve("model_config.pbtxt"), "");
    java.io.StringWriter err = new java.io.StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setErr(new java.io.PrintWriter(err));
    int code =
        commandLine.execute(
            "pretrain",
            "--text",
            folder.resolve("none.txt").toString(),
            "--out",
            existing.toString());
    assertEquals(2, code, "exit code of a usage error");
    assertTrue(err.toString().contains("already holds a saved model"), err.toString());
  }

  @Test
  void resolve_dropoutFlags_setAndChecked() {
    ConfigOptions options = new ConfigOptions();
    new CommandLine(options).parseArgs("--dropout", "0.3", "--recurrent-dropout", "0.1");
    RunConfig run = options.resolve(RunConfig.getDefaultInstance());
    assertEquals(0.3f, run.getModel().getDropout(), "dropout flag");
    assertEquals(0.1f, run.getModel().getRecurrentDropout(), "recurrent dropout flag");

    ConfigOptions invalid = new ConfigOptions();
    new CommandLine(invalid).parseArgs("--dropout", "1");
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> invalid.resolve(RunConfig.getDefaultInstance()));
    assertEquals("--dropout must be in [0, 1), got 1.0", error.getMessage());
  }
}
