package io.rnnkit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpamAssassinReaderTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** Writes one mail in the package layout: data/GROUP/ID.MD5.json plus the .txt twin. */
  private Path writeMail(String group, String id, String text) throws IOException {
    Path groupDir = Files.createDirectories(dir.resolve("data").resolve(group));
    Map<String, Object> mail = new LinkedHashMap<>();
    mail.put("id", id);
    mail.put("group", group);
    mail.put("checksum", Map.of("type", "MD5", "value", "0123456789abcdef0123456789abcdef"));
    mail.put("text", text);
    Path json = groupDir.resolve(id + ".0123456789abcdef0123456789abcdef.json");
    JSON.writeValue(json.toFile(), mail);
    Files.writeString(groupDir.resolve(id + ".0123456789abcdef0123456789abcdef.txt"), text);
    return json;
  }

  @Test
  void readsGroupsWithLabelsAndBodies() throws IOException {
    writeMail("spam-1", "00001", "From: a@b\nSubject: Buy now\n\nCheap pills! Buy now.\n");
    writeMail("easy-ham-1", "00001", "From: c@d\r\nSubject: Re: lunch\r\n\r\nSee you at noon.\r\n");
    writeMail("hard-ham-1", "00002", "From: e@f\nSubject: no body\n\n   \n");

    ReadStats stats = new ReadStats();
    List<Example> examples =
        new SpamAssassinReader(new Tokenizer(true), true).readDirectory(dir, stats);

    assertEquals(2, examples.size(), "mail without body skipped");
    assertEquals(1, stats.skipped(), "skip counted");
    Example ham = examples.get(0);
    assertEquals("ham", ham.label(), "easy-ham-1 is ham, and its group sorts first");
    assertEquals(List.of("see", "you", "at", "noon", "."), ham.tokens(), "headers dropped");
    Example spam = examples.get(1);
    assertEquals("spam", spam.label(), "spam-1 is spam");
    assertEquals(1L, spam.id(), "ids count in reading order");
    assertTrue(!spam.tokens().contains("subject"), "header words not in the body tokens");
  }

  @Test
  void bodyAfterFirstBlankLine() {
    assertEquals("body\n\nmore", SpamAssassinReader.body("H: 1\n\nbody\n\nmore"), "first gap");
    assertNull(SpamAssassinReader.body("H: 1\nH: 2\n"), "no blank line");
    assertEquals("only body", SpamAssassinReader.body("\nonly body"), "no headers");
  }

  @Test
  void invalidJsonStrictAndLenient() throws IOException {
    writeMail("spam-2", "00001", "H: 1\n\nvalid mail");
    Path broken = dir.resolve("data/spam-2/00002.ffff.json");
    Files.writeString(broken, "{\"id\": \"00002\",\n \"group\": ");

    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> new SpamAssassinReader(new Tokenizer(false), true).readDirectory(dir));
    ReadStats stats = new ReadStats();
    List<Example> lenient =
        new SpamAssassinReader(new Tokenizer(false), false).readDirectory(dir, stats);

    assertTrue(error.getMessage().contains("00002.ffff.json"), error.getMessage());
    assertEquals(1, lenient.size(), "valid mail kept in lenient mode");
    assertEquals(1, stats.skipped(), "broken file counted");
  }

  @Test
  void invalidUtf8InJsonNamedLine() throws IOException {
    Path groupDir = Files.createDirectories(dir.resolve("data/spam-1"));
    Path file = groupDir.resolve("00003.abcd.json");
    byte[] prefix =
        "{\"id\":\"00003\",\n\"group\":\"spam-1\",\n\"text\":\"H: 1\\n\\nbad ".getBytes();
    byte[] bytes = new byte[prefix.length + 3];
    System.arraycopy(prefix, 0, bytes, 0, prefix.length);
    bytes[prefix.length] = (byte) 0xFF;
    bytes[prefix.length + 1] = '"';
    bytes[prefix.length + 2] = '}';
    Files.write(file, bytes);

    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> new SpamAssassinReader(new Tokenizer(false), true).readDirectory(dir));

    assertTrue(error.getMessage().contains("00003.abcd.json:3"), error.getMessage());
  }

  @Test
  void emptyJsonFileNamed() throws IOException {
    Path groupDir = Files.createDirectories(dir.resolve("data/spam-1"));
    Files.writeString(groupDir.resolve("00004.abcd.json"), "");

    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> new SpamAssassinReader(new Tokenizer(false), false).readDirectory(dir));

    assertTrue(error.getMessage().contains("00004.abcd.json"), error.getMessage());
  }

  @Test
  void missingCorpusNamesFetchScript() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> new SpamAssassinReader(new Tokenizer(false), true).readDirectory(dir));
    assertTrue(error.getMessage().contains("scripts/fetch-data.sh spam"), error.getMessage());
  }
}
