package io.rnnkit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyTest {
  private static final List<List<String>> SENTENCES =
      List.of(
          List.of("the", "cat", "sat"),
          List.of("the", "dog", "sat"),
          List.of("the", "cat", "ran", "<unk>"));

  @TempDir Path dir;

  @Test
  void orderIsCountThenToken() {
    Vocabulary vocabulary = Vocabulary.build(SENTENCES, 1, 0, List.of());

    assertEquals(
        List.of("<pad>", "<unk>", "the", "cat", "sat", "dog", "ran"),
        vocabulary.tokens(),
        "specials, then count descending, ties ascending");
    assertEquals(Vocabulary.PAD_ID, vocabulary.id("<pad>"), "pad id");
    assertEquals(Vocabulary.UNK_ID, vocabulary.id("<unk>"), "unk id");
    assertEquals(2, vocabulary.id("the"), "most frequent word");
    assertEquals("dog", vocabulary.token(5), "token of id 5");
    assertEquals(7, vocabulary.size(), "size");
  }

  @Test
  void extraSpecialsFollowPadAndUnk() {
    Vocabulary vocabulary =
        Vocabulary.build(SENTENCES, 1, 0, List.of(Vocabulary.BOS_TOKEN, Vocabulary.EOS_TOKEN));

    assertEquals(2, vocabulary.id(Vocabulary.BOS_TOKEN), "bos id");
    assertEquals(3, vocabulary.id(Vocabulary.EOS_TOKEN), "eos id");
    assertEquals(4, vocabulary.id("the"), "first corpus token after the specials");
  }

  @Test
  void minCountAndMaxSize() {
    Vocabulary frequent = Vocabulary.build(SENTENCES, 2, 0, List.of());
    Vocabulary capped = Vocabulary.build(SENTENCES, 1, 4, List.of());

    assertEquals(List.of("<pad>", "<unk>", "the", "cat", "sat"), frequent.tokens(), "minCount 2");
    assertEquals(List.of("<pad>", "<unk>", "the", "cat"), capped.tokens(), "maxSize 4");
    assertThrows(
        IllegalArgumentException.class,
        () -> Vocabulary.build(SENTENCES, 1, 2, List.of(Vocabulary.EOS_TOKEN)),
        "maxSize below the number of specials");
  }

  @Test
  void unknownTokensMapToUnk() {
    Vocabulary vocabulary = Vocabulary.build(SENTENCES, 2, 0, List.of());

    assertArrayEquals(
        new int[] {2, 1, 4, 1},
        vocabulary.ids(List.of("the", "dog", "sat", "zebra")),
        "dog is below minCount, zebra unseen");
    assertFalse(vocabulary.contains("zebra"), "contains unseen token");
    assertTrue(vocabulary.contains("cat"), "contains kept token");
  }

  @Test
  void saveLoadRoundTrip() throws IOException {
    Vocabulary vocabulary = Vocabulary.build(SENTENCES, 1, 0, List.of(Vocabulary.EOS_TOKEN));
    Path file = dir.resolve("sub/vocab.txt");

    vocabulary.save(file);
    Vocabulary loaded = Vocabulary.load(file);

    assertEquals(vocabulary.tokens(), loaded.tokens(), "tokens after round trip");
    assertEquals(vocabulary, loaded, "equals after round trip");
    try (var files = Files.list(file.getParent())) {
      assertEquals(1, files.count(), "no temporary file left behind");
    }
  }

  @Test
  void loadRejectsBadFiles() throws IOException {
    Path empty = write("empty.txt", "");
    Path duplicate = write("dup.txt", "<pad>\n<unk>\nthe\ncat\nthe\n");
    Path noSpecials = write("nospecials.txt", "the\n<pad>\n<unk>\n");

    IllegalArgumentException emptyError =
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.load(empty));
    IllegalArgumentException duplicateError =
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.load(duplicate));
    IllegalArgumentException specialsError =
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.load(noSpecials));

    assertTrue(emptyError.getMessage().contains("empty.txt"), emptyError.getMessage());
    assertTrue(duplicateError.getMessage().contains("dup.txt:5"), duplicateError.getMessage());
    assertTrue(specialsError.getMessage().contains("nospecials.txt:1"), specialsError.getMessage());
  }

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }
}
