package io.rnnkit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrownCorpusTest {
  @TempDir Path dir;

  private void write(String name, String text) throws IOException {
    Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  @Test
  void readsTinyCorpusInFileOrder() throws IOException {
    write(
        "cb02",
        "\n\n\tThe/at jury/nn said/vbd ./.\n\n\n\tHe/pps won/vbd 1/2/cd of/in it/ppo ./.\n");
    write("ca01", "\tAtlanta's/np$ mayor/nn ./.\n");
    write("README", "not a corpus file");

    ReadStats stats = new ReadStats();
    List<BrownDocument> documents = BrownCorpus.readDirectory(dir, stats);

    assertEquals(2, documents.size(), "two Brown files, README ignored");
    assertEquals("ca01", documents.get(0).id(), "sorted by file name");
    assertEquals('a', documents.get(0).genre(), "genre from the file name");
    BrownDocument second = documents.get(1);
    assertEquals(2, second.sentences().size(), "one sentence per non-blank line");
    TaggedSentence sentence = second.sentences().get(1);
    assertEquals(List.of("He", "won", "1/2", "of", "it", "."), sentence.tokens(), "words");
    assertEquals(List.of("pps", "vbd", "cd", "in", "ppo", "."), sentence.tags(), "tags");
    assertEquals("Atlanta's", documents.get(0).sentences().get(0).tokens().get(0), "case kept");
    assertEquals(3, stats.records(), "sentences counted");
    assertEquals(0, stats.skipped(), "nothing skipped");
  }

  @Test
  void malformedTokenSkippedAndCounted() throws IOException {
    write("cr01", "\tGood/jj noslash bad/ word/nn\n");

    ReadStats stats = new ReadStats();
    List<BrownDocument> documents = BrownCorpus.readDirectory(dir, stats);

    assertEquals(
        List.of("Good", "word"), documents.get(0).sentences().get(0).tokens(), "kept tokens");
    assertEquals(2, stats.skipped(), "two malformed tokens");
  }

  @Test
  void missingDirectoryNamesFetchScript() {
    Path missing = dir.resolve("nope");
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> BrownCorpus.readDirectory(missing));
    assertTrue(error.getMessage().contains(missing.toString()), error.getMessage());
    assertTrue(error.getMessage().contains("scripts/fetch-data.sh"), error.getMessage());
  }

  @Test
  void directoryWithoutBrownFilesRejected() throws IOException {
    write("README", "x");
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> BrownCorpus.readDirectory(dir));
    assertTrue(error.getMessage().contains("scripts/fetch-data.sh"), error.getMessage());
  }

  @Test
  void emptyFileNamed() throws IOException {
    write("ca01", "\tA/at ./.\n");
    write("ca02", "");
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> BrownCorpus.readDirectory(dir));
    assertTrue(error.getMessage().contains("ca02"), error.getMessage());
  }

  @Test
  void genreNames() {
    assertEquals("press: reportage", BrownCorpus.genreName('a'), "genre a");
    assertEquals("learned", BrownCorpus.genreName('j'), "genre j");
    assertEquals("humor", BrownCorpus.genreName('r'), "genre r");
    assertThrows(
        IllegalArgumentException.class, () -> BrownCorpus.genreName('i'), "i is not a genre");
  }
}
