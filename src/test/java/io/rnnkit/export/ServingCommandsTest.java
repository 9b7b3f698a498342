package io.rnnkit.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.TextFormat;
import io.rnnkit.cli.Main;
import io.rnnkit.config.TaskKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** export, inspect and predict through the command line on tiny models of every task. */
class ServingCommandsTest {

  @TempDir Path folder;

  @Test
  void exportInspectPredict_everyTask() throws Exception {
    ObjectMapper json = new ObjectMapper();
    Path input = folder.resolve("in.txt");
    byte[] text = "the cat sat on the mat .\n\na cat\n".getBytes(StandardCharsets.UTF_8);
    Files.write(input, text);
    for (TaskKind task : List.of(TaskKind.LANGUAGE_MODEL, TaskKind.TAGGER, TaskKind.CLASSIFIER)) {
      Path modelFolder = modelFolder(task);
      Path base = folder.resolve("savedmodels/" + task);
      Run export =
          run(
              "export",
              "--model-folder",
              modelFolder.toString(),
              "--export",
              base.toString(),
              "--version",
              "2");
      assertEquals(0, export.code(), task + " export: " + export.err());
      assertTrue(export.out().contains("SavedModel written to"), export.out());

      Run inspect = run("inspect", "--model", base.resolve("2").toString());
      assertEquals(0, inspect.code(), task + " inspect: " + inspect.err());
      assertTrue(inspect.out().contains("MetaGraph with tags [serve]"), inspect.out());
      assertTrue(
          inspect.out().contains("Signature serving_default (method tensorflow/serving/predict)"),
          inspect.out());
      assertTrue(
          inspect.out().contains("input  tokens: DT_STRING [?, ?] (tokens:0)"), inspect.out());
      assertTrue(
          inspect.out().contains("input  lengths: DT_INT32 [?] (lengths:0) default [-1]"),
          inspect.out());
      assertTrue(inspect.out().contains("embedding/embeddings DT_FLOAT [9, 4]"), inspect.out());
      assertTrue(inspect.out().contains("task: " + task), inspect.out());

      Run predict =
          run("predict", "--model", base.resolve("2").toString(), "--input", input.toString());
      assertEquals(0, predict.code(), task + " predict: " + predict.err());
      String[] lines = predict.out().strip().split("\n");
      assertEquals(2, lines.length, task + " one line per non-empty input line: " + predict.out());
      JsonNode first = json.readTree(lines[0]);
      JsonNode second = json.readTree(lines[1]);
      switch (task) {
        case LANGUAGE_MODEL -> {
          assertTrue(first.get("log_likelihood").asDouble() < 0, lines[0]);
          assertTrue(first.get("truncated").asBoolean(), "7 tokens over max_length 6: " + lines[0]);
          assertEquals(5, first.get("predicted_tokens").asInt(), "6 kept tokens: " + lines[0]);
          assertEquals(
              Math.exp(-first.get("log_likelihood").asDouble() / 5),
              first.get("perplexity").asDouble(),
              1e-9,
              lines[0]);
        }
        case TAGGER -> {
          assertEquals(7, first.get("tags").size(), "a tag for every token: " + lines[0]);
          assertEquals(2, first.get("pieces").asInt(), "7 tokens over max_length 6: " + lines[0]);
          assertEquals(2, second.get("tags").size(), lines[1]);
          assertTrue(TinyModels.TAGS.contains(second.get("tags").get(0).asText()), lines[1]);
          Path spaced = Files.writeString(folder.resolve("spaced.txt"), " well-known  U.S. \n");
          Run split =
              run(
                  "predict",
                  "--model",
                  base.resolve("2").toString(),
                  "--input",
                  spaced.toString(),
                  "--split-on-spaces");
          assertEquals(0, split.code(), "predict --split-on-spaces: " + split.err());
          JsonNode tokens = json.readTree(split.out().strip()).get("tokens");
          assertEquals(2, tokens.size(), "whitespace-separated tokens: " + split.out());
          assertEquals("well-known", tokens.get(0).asText(), "hyphenated token kept whole");
          assertEquals("U.S.", tokens.get(1).asText(), "abbreviation kept whole");
        }
        default -> assertTrue(TinyModels.LABELS.contains(second.get("label").asText()), lines[1]);
      }
    }
  }

  @Test
  void predict_invalidUtf8LineSkippedAndRestServed() throws Exception {
    Path modelFolder = modelFolder(TaskKind.CLASSIFIER);
    Path base = folder.resolve("savedmodels/classifier");
    assertEquals(
        0,
        run(
                "export",
                "--model-folder",
                modelFolder.toString(),
                "--export",
                base.toString(),
                "--version",
                "1")
            .code(),
        "export");
    Path input = folder.resolve("bad.txt");
    Files.write(
        input,
        new byte[] {'t', 'h', 'e', '\n', 'c', 'a', (byte) 0xff, 't', '\n', 'm', 'a', 't', '\n'});
    Run predict =
        run("predict", "--model", base.resolve("1").toString(), "--input", input.toString());
    assertEquals(1, predict.code(), "exit code after an invalid line: " + predict.err());
    assertTrue(
        predict.err().contains(input + ":2: line is not valid UTF-8"), "stderr: " + predict.err());
    String[] lines = predict.out().strip().split("\n");
    assertEquals(2, lines.length, "lines 1 and 3 are still predicted: " + predict.out());
    assertTrue(lines[1].contains("\"text\":\"mat\""), lines[1]);
  }

  @Test
  void export_missingLabelsNamed() throws Exception {
    Path modelFolder = modelFolder(TaskKind.CLASSIFIER);
    Files.delete(modelFolder.resolve("labels.txt"));
    Run export =
        run(
            "export",
            "--model-folder",
            modelFolder.toString(),
            "--export",
            folder.resolve("x").toString(),
            "--version",
            "1");
    assertEquals(2, export.code(), "exit code");
    assertTrue(export.err().contains("no labels.txt in " + modelFolder), export.err());
  }

  /** Writes a model folder in the layout of LanguageModelTask.save, plus the class names. */
  private Path modelFolder(TaskKind task) throws Exception {
    Path modelFolder = folder.resolve("models/" + task);
    try (TinyModels.Reference reference = new TinyModels.Reference(task, 21)) {
      reference.save(modelFolder.resolve("checkpoint"));
      Files.write(modelFolder.resolve("vocab.txt"), TinyModels.VOCABULARY, StandardCharsets.UTF_8);
      Files.writeString(
          modelFolder.resolve("model_config.pbtxt"),
          TextFormat.printer().printToString(reference.config));
    }
    if (task == TaskKind.CLASSIFIER) {
      Files.write(modelFolder.resolve("labels.txt"), TinyModels.LABELS, StandardCharsets.UTF_8);
    } else if (task == TaskKind.TAGGER) {
      Files.write(modelFolder.resolve("tags.txt"), TinyModels.TAGS, StandardCharsets.UTF_8);
    }
    return modelFolder;
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream previousOut = System.out;
    PrintStream previousErr = System.err;
    StringWriter commandOut = new StringWriter();
    StringWriter commandErr = new StringWriter();
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      CommandLine commandLine = Main.commandLine();
      commandLine.setOut(new PrintWriter(commandOut, true));
      commandLine.setErr(new PrintWriter(commandErr, true));
      code = commandLine.execute(args);
    } finally {
      System.setOut(previousOut);
      System.setErr(previousErr);
    }
    return new Run(
        code,
        out.toString(StandardCharsets.UTF_8) + commandOut,
        err.toString(StandardCharsets.UTF_8) + commandErr);
  }
}
