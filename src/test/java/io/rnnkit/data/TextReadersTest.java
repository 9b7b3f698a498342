package io.rnnkit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextReadersTest {
  private static final Tokenizer TOKENIZER = new Tokenizer(true);

  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    return writeBytes(name, text.getBytes(StandardCharsets.UTF_8));
  }

  private Path writeBytes(String name, byte[] bytes) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    return file;
  }

  /** Three lines where line 2 contains the byte 0xFF, which never occurs in UTF-8. */
  private Path fileWithInvalidSecondLine(String name, String first, String third)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes((first + "\n").getBytes(StandardCharsets.UTF_8));
    bytes.writeBytes(new byte[] {'b', 'a', 'd', (byte) 0xFF, '\n'});
    bytes.writeBytes((third + "\n").getBytes(StandardCharsets.UTF_8));
    return writeBytes(name, bytes.toByteArray());
  }

  @Test
  void plainTextSkipsBlankLines() throws IOException {
    Path file = write("text.txt", "Hello, world!\n\n   \r\nSecond line\r\nno newline at end");

    List<Example> examples = new PlainTextReader(TOKENIZER, true).read(file);

    assertEquals(3, examples.size(), "blank lines skipped");
    assertEquals(List.of("hello", ",", "world", "!"), examples.get(0).tokens(), "first line");
    assertEquals(List.of("second", "line"), examples.get(1).tokens(), "CRLF removed");
    assertEquals(2L, examples.get(2).id(), "ids count in reading order");
    assertNull(examples.get(0).label(), "no label");
  }

  @Test
  void tsvReadsLabelAndText() throws IOException {
    Path file = write("data.tsv", "pos\tGreat movie!\nneg\tBad\tvery bad\n");

    List<Example> examples = new TsvReader(TOKENIZER, true).read(file);

    assertEquals(2, examples.size(), "two lines");
    assertEquals("pos", examples.get(0).label(), "first label");
    assertEquals(List.of("bad", "very", "bad"), examples.get(1).tokens(), "split at first tab");
  }

  @Test
  void tsvLineWithoutTabStrictNamesLine() throws IOException {
    Path file = write("data.tsv", "pos\tfine\nmissing tab here\n");

    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> new TsvReader(TOKENIZER, true).read(file));

    assertTrue(error.getMessage().contains("data.tsv:2"), error.getMessage());
    assertTrue(error.getMessage().contains("no tab"), error.getMessage());
  }

  @Test
  void tsvLineWithoutTabLenientCounted() throws IOException {
    Path file = write("data.tsv", "pos\tfine\nmissing tab here\nneg\tok\n");
    ReadStats stats = new ReadStats();

    List<Example> examples = new TsvReader(TOKENIZER, false).read(file, stats);

    assertEquals(2, examples.size(), "valid lines kept");
    assertEquals(1, stats.skipped(), "line without tab counted");
    assertEquals(2, stats.records(), "records counted");
  }

  @Test
  void invalidUtf8StrictNamesLine() throws IOException {
    Path file = fileWithInvalidSecondLine("bad.txt", "good line", "another good line");

    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> new PlainTextReader(TOKENIZER, true).read(file));

    assertTrue(error.getMessage().contains("bad.txt:2"), error.getMessage());
    assertTrue(error.getMessage().contains("UTF-8"), error.getMessage());
  }

  @Test
  void invalidUtf8LenientSkipsLine() throws IOException {
    Path file = fileWithInvalidSecondLine("bad.tsv", "a\tgood line", "b\tanother good line");
    ReadStats stats = new ReadStats();

    List<Example> examples = new TsvReader(TOKENIZER, false).read(file, stats);

    assertEquals(2, examples.size(), "lines around the invalid one are read");
    assertEquals("b", examples.get(1).label(), "line after the invalid one");
    assertEquals(1, stats.skipped(), "invalid line counted");
  }

  @Test
  void emptyFileRejectedWithName() throws IOException {
    Path file = write("empty.txt", "");

    IllegalArgumentException plain =
        assertThrows(
            IllegalArgumentException.class, () -> new PlainTextReader(TOKENIZER, true).read(file));
    IllegalArgumentException tsv =
        assertThrows(
            IllegalArgumentException.class, () -> new TsvReader(TOKENIZER, false).read(file));

    assertTrue(plain.getMessage().contains("empty.txt"), plain.getMessage());
    assertTrue(tsv.getMessage().contains("empty.txt"), tsv.getMessage());
  }

  @Test
  void missingFileRejectedWithName() {
    Path file = dir.resolve("absent.txt");
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> new PlainTextReader(TOKENIZER, true).read(file));
    assertTrue(error.getMessage().contains("absent.txt"), error.getMessage());
  }
}
