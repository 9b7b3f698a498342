package io.rnnkit.importer;

import static io.rnnkit.importer.Fixtures.Weight;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.checkpoint.BundleWriter;
import io.rnnkit.checkpoint.CheckpointFormatException;
import io.rnnkit.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad sources, bad options and the command line: clear errors and no model folder. */
class ImportErrorsTest {
  private static final int V = 5;
  private static final int E = 2;
  private static final int H = 3;

  @TempDir Path dir;

  private Path writeLstm() {
    Map<String, Weight> w = new LinkedHashMap<>();
    w.put("embedding", Weight.of(new float[V * E], V, E));
    w.put("rnn/basic_lstm_cell/kernel", Weight.of(new float[(E + H) * 4 * H], E + H, 4 * H));
    w.put("rnn/basic_lstm_cell/bias", Weight.of(new float[4 * H], 4 * H));
    w.put("softmax_w", Weight.of(new float[H * V], H, V));
    w.put("softmax_b", Weight.of(new float[V], V));
    Path prefix = dir.resolve("model.ckpt-1");
    Fixtures.writeNameBased(prefix, w);
    return prefix;
  }

  private static Path data(Path prefix) {
    return prefix.resolveSibling(prefix.getFileName() + ".data-00000-of-00001");
  }

  private void assertFailsWithoutFolder(Path prefix, String expectedText) {
    Path out = dir.resolve("out");
    CheckpointFormatException error =
        assertThrows(
            CheckpointFormatException.class, () -> Importer.run(Importer.Options.of(prefix, out)));
    assertTrue(
        error.getMessage().contains(expectedText),
        "message contains '" + expectedText + "': " + error.getMessage());
    assertFalse(Files.exists(out), "no model folder written");
  }

  @Test
  void corruptIndexIsRejected() throws IOException {
    Path prefix = writeLstm();
    Path index = prefix.resolveSibling(prefix.getFileName() + ".index");
    Files.write(index, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
    assertFailsWithoutFolder(prefix, index.toString());
  }

  @Test
  void missingShardIsRejected() throws IOException {
    Path prefix = writeLstm();
    Files.delete(data(prefix));
    assertFailsWithoutFolder(prefix, "not found");
  }

  @Test
  void checksumMismatchIsRejected() throws IOException {
    Path prefix = writeLstm();
    byte[] bytes = Files.readAllBytes(data(prefix));
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(data(prefix), bytes);
    assertFailsWithoutFolder(prefix, "Checksum mismatch");
  }

  @Test
  void unsupportedDtypeIsRejected() {
    Path prefix = dir.resolve("double.ckpt");
    new BundleWriter()
        .add("embedding", tf -> tf.constant(new double[][] {{1, 2}, {3, 4}}))
        .save(prefix);
    assertFailsWithoutFolder(prefix, "DT_DOUBLE");
  }

  @Test
  void existingOutputFolderIsRejected() throws IOException {
    Path prefix = writeLstm();
    Path out = Files.createDirectories(dir.resolve("taken"));
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> Importer.run(Importer.Options.of(prefix, out)));
    assertTrue(error.getMessage().contains("already exists"), "message: " + error.getMessage());
  }

  @Test
  void malformedKeyMapLineIsRejected() throws IOException {
    Path file = dir.resolve("map.tsv");
    Files.writeString(file, "a\tembedding/embeddings\nb embedding\n");
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> KeyMap.read(file));
    assertTrue(
        error.getMessage().startsWith(file + ":2:"),
        "message names file and line: " + error.getMessage());
  }

  @Test
  void verifyNeedsSavedModel() throws IOException {
    Path prefix = writeLstm();
    Path out = dir.resolve("out");
    ImportException error =
        assertThrows(
            ImportException.class,
            () -> Importer.run(Importer.Options.of(prefix, out).withVerify(true)));
    assertTrue(
        error.getMessage().contains("--verify needs a SavedModel"),
        "message: " + error.getMessage());
    assertFalse(Files.exists(out), "no model folder written");
  }

  @Test
  void commandPrintsTableAndExitCodes() {
    Path prefix = writeLstm();
    Path out = dir.resolve("cli");
    StringWriter text = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(text));
    commandLine.setErr(new PrintWriter(new StringWriter()));

    int status =
        commandLine.execute("import", "--from", prefix.toString(), "--out", out.toString());

    assertEquals(0, status, "exit status of a good import; output:\n" + text);
    assertTrue(text.toString().contains("lm_head/kernel"), "table lists the head target:\n" + text);
    assertTrue(text.toString().contains("LANGUAGE_MODEL Network"), "coverage line:\n" + text);
    assertTrue(Files.isDirectory(out.resolve("checkpoint")), "checkpoint written");

    StringWriter errors = new StringWriter();
    commandLine.setErr(new PrintWriter(errors));
    int again = commandLine.execute("import", "--from", prefix.toString(), "--out", out.toString());
    assertEquals(2, again, "exit status when --out exists; errors:\n" + errors);
  }
}
