package io.rnnkit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnknownWordClassesTest {

  @TempDir Path folder;

  @Test
  void classesOf_shapeThenSuffixes() {
    assertEquals(
        List.of("<unk:cap:ity>", "<unk:cap:ty>", "<unk:cap>"),
        UnknownWordClasses.classesOf("Unpopularity"),
        "capitalized word");
    assertEquals(
        List.of("<unk:num:60s>", "<unk:num:0s>", "<unk:num>"),
        UnknownWordClasses.classesOf("1960s"),
        "a digit wins over case");
  }

  @Test
  void shape_eachClass() {
    assertEquals("caps", UnknownWordClasses.shape("NATO"), "two or more capitals");
    assertEquals("caps", UnknownWordClasses.shape("U.S."), "capitals with dots");
    assertEquals("cap", UnknownWordClasses.shape("A"), "one capital alone");
    assertEquals("cap", UnknownWordClasses.shape("McCarthy"), "mixed case");
    assertEquals("low", UnknownWordClasses.shape("ran"), "lower case");
    assertEquals("low-", UnknownWordClasses.shape("anti-war"), "hyphenated");
    assertEquals("cap-", UnknownWordClasses.shape("Anglo-Saxon"), "capitalized hyphenated");
    assertEquals("num-", UnknownWordClasses.shape("1961-62"), "hyphenated number");
    assertEquals("other", UnknownWordClasses.shape("école"), "non-ASCII first letter");
    assertEquals("other", UnknownWordClasses.shape("''"), "punctuation");
    assertEquals(
        "cap", UnknownWordClasses.shape("A".repeat(100_000) + "a"), "long capitals, then lower");
    assertEquals("caps", UnknownWordClasses.shape("A".repeat(100_000)), "long capitals");
  }

  @Test
  void suffix_padsShortWordsAndLowerCasesAscii() {
    assertEquals("^go", UnknownWordClasses.suffix("Go", 3), "padded on the left");
    assertEquals("ing", UnknownWordClasses.suffix("RUNNING", 3), "ASCII lower-cased");
    assertEquals("fÉ", UnknownWordClasses.suffix("CAFÉ", 2), "non-ASCII kept as is");
    assertEquals("😀s", UnknownWordClasses.suffix("x😀s", 2), "a code point outside the BMP");
  }

  @Test
  void vocabulary_mapsUnknownWordsToClasses() throws Exception {
    List<List<String>> sentences =
        List.of(
            List.of("the", "dog", "was", "running"),
            List.of("the", "cat", "was", "jumping"),
            List.of("the", "dog", "was", "Boston"),
            List.of("the", "cat", "was", "Denver"));
    Vocabulary vocabulary = Vocabulary.buildWithUnknownWordClasses(sentences, 2, 0, List.of(), 2);
    assertTrue(vocabulary.hasUnknownWordClasses(), "classes found");
    assertEquals(
        List.of(
            "<pad>",
            "<unk>",
            "the",
            "was",
            "cat",
            "dog",
            "<unk:cap>",
            "<unk:low:ing>",
            "<unk:low:ng>",
            "<unk:low>"),
        vocabulary.tokens(),
        "words, then classes with at least 2 tokens by count");
    assertEquals(vocabulary.id("<unk:low:ing>"), vocabulary.id("singing"), "an unseen -ing word");
    assertEquals(vocabulary.id("<unk:low:ng>"), vocabulary.id("sang"), "backs off to 2 letters");
    assertEquals(vocabulary.id("<unk:cap>"), vocabulary.id("Paris"), "backs off to the shape");
    assertEquals(Vocabulary.UNK_ID, vocabulary.id("1960"), "no class for numbers");
    assertEquals(vocabulary.id("dog"), vocabulary.id("dog"), "a known word keeps its id");

    Path file = folder.resolve("vocab.txt");
    vocabulary.save(file);
    Vocabulary loaded = Vocabulary.load(file);
    assertTrue(loaded.hasUnknownWordClasses(), "classes survive save and load");
    assertEquals(vocabulary.id("singing"), loaded.id("singing"), "same class after load");
  }

  @Test
  void vocabulary_withoutClassesMapsToUnk() {
    Vocabulary vocabulary = Vocabulary.build(List.of(List.of("a", "a", "b")), 2, 0, List.of());
    assertFalse(vocabulary.hasUnknownWordClasses(), "plain vocabulary");
    assertEquals(Vocabulary.UNK_ID, vocabulary.id("running"), "unknown word");
  }

  @Test
  void minClassCount_belowOneRejected() {
    var error =
        assertThrows(
            IllegalArgumentException.class,
            () -> Vocabulary.buildWithUnknownWordClasses(List.of(List.of("a")), 1, 0, List.of(), 0),
            "min class count 0");
    assertTrue(error.getMessage().contains("got 0"), error.getMessage());
  }
}
