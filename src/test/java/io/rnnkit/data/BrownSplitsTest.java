package io.rnnkit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.data.BrownSplits.DocumentSplits;
import io.rnnkit.data.BrownSplits.LanguageModelSplits;
import io.rnnkit.data.BrownSplits.TokenStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BrownSplitsTest {

  /** Builds a document with sentences of the given lengths and words "ID-W0", "ID-W1", .... */
  private static BrownDocument document(String id, int... sentenceLengths) {
    List<TaggedSentence> sentences = new ArrayList<>();
    int word = 0;
    for (int length : sentenceLengths) {
      List<String> tokens = new ArrayList<>();
      List<String> tags = new ArrayList<>();
      for (int i = 0; i < length; i++) {
        tokens.add(id + "-W" + word++);
        tags.add("nn");
      }
      sentences.add(new TaggedSentence(id, id.charAt(1), tokens, tags));
    }
    return new BrownDocument(id, id.charAt(1), sentences);
  }

  @Test
  void languageModelSlicesByTokenCount() {
    // Stream: ca01 has 3 + 2 tokens (offsets 0-4), ca02 has 4 (5-8), cb01 has 3 (9-11).
    List<BrownDocument> documents =
        List.of(document("ca01", 3, 2), document("ca02", 4), document("cb01", 3));

    LanguageModelSplits splits = BrownSplits.languageModel(documents, 6, 4, false, true);

    assertEquals(6, splits.train().size(), "train tokens");
    assertEquals(4, splits.validation().size(), "validation tokens");
    assertEquals(2, splits.test().size(), "rest is test");
    assertEquals("ca02-w0", splits.train().tokens().get(5), "lower-cased, in file order");
    assertArrayEquals(new int[] {0, 5}, splits.train().documentStarts(), "train doc starts");
    assertArrayEquals(new int[] {0, 3}, splits.validation().documentStarts(), "cb01 at 9 - 6");
    assertArrayEquals(new int[] {0}, splits.test().documentStarts(), "test starts mid-document");
  }

  @Test
  void languageModelWithEos() {
    List<BrownDocument> documents = List.of(document("ca01", 2, 2), document("ca02", 1));

    LanguageModelSplits splits = BrownSplits.languageModel(documents, 3, 2, true, false);

    assertEquals(
        List.of("ca01-W0", "ca01-W1", Vocabulary.EOS_TOKEN),
        splits.train().tokens(),
        "eos after each sentence, counted in the size");
    assertEquals(3, splits.test().size(), "8 tokens - 3 - 2");
  }

  @Test
  void sliceKeepsDocumentStartsInRange() {
    TokenStream stream =
        new TokenStream(List.of("a", "b", "c", "d", "e", "f"), new int[] {0, 3, 5});

    TokenStream middle = stream.slice(2, 5);

    assertEquals(List.of("c", "d", "e"), middle.tokens());
    assertArrayEquals(new int[] {0, 1}, middle.documentStarts(), "c | d e");
    assertArrayEquals(new int[] {0}, stream.slice(3, 5).documentStarts(), "starts at a document");
  }

  @Test
  void reversedStreamReadsLastDocumentFirst() {
    TokenStream stream =
        new TokenStream(List.of("a", "b", "c", "d", "e", "f"), new int[] {0, 3, 5});

    TokenStream reversed = stream.reversed();

    assertEquals(List.of("f", "e", "d", "c", "b", "a"), reversed.tokens());
    assertArrayEquals(new int[] {0, 1, 3}, reversed.documentStarts(), "f | e d | c b a");
    assertEquals(stream.tokens(), reversed.reversed().tokens(), "twice gives the stream back");
    assertArrayEquals(stream.documentStarts(), reversed.reversed().documentStarts());
  }

  @Test
  void languageModelTooSmallCorpusRejected() {
    List<BrownDocument> documents = List.of(document("ca01", 5));
    assertThrows(
        IllegalArgumentException.class,
        () -> BrownSplits.languageModel(documents),
        "5 tokens cannot fill 800,000 training tokens");
  }

  @Test
  void documentSplitDisjointStratifiedSeeded() {
    List<BrownDocument> documents = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      documents.add(document(String.format("ca%02d", i), 1));
    }
    for (int i = 1; i <= 6; i++) {
      documents.add(document(String.format("cm%02d", i), 1));
    }

    DocumentSplits splits = BrownSplits.byDocument(documents, 5);
    DocumentSplits again = BrownSplits.byDocument(documents, 5);
    DocumentSplits otherSeed = BrownSplits.byDocument(documents, 6);

    Set<String> seen = new HashSet<>();
    for (List<BrownDocument> split : List.of(splits.train(), splits.validation(), splits.test())) {
      for (BrownDocument document : split) {
        assertTrue(seen.add(document.id()), document.id() + " is in two splits");
      }
    }
    assertEquals(26, seen.size(), "every document assigned");
    assertEquals(16 + 4, splits.train().size(), "ca: 16 train, cm: 4 train");
    assertEquals(2 + 1, splits.validation().size(), "ca: 2, cm: at least 1");
    assertEquals(2 + 1, splits.test().size(), "ca: 2, cm: at least 1");
    assertTrue(splits.validation().stream().anyMatch(d -> d.genre() == 'm'), "cm in validation");
    assertEquals(splits, again, "same seed, same split");
    assertFalse(splits.equals(otherSeed), "other seed, other split");
  }

  @Test
  void genreExamplesCarryLabelAndTags() {
    List<Example> examples =
        BrownSplits.genreExamples(List.of(document("ca01", 2), document("cr01", 1)), true);

    assertEquals(2, examples.size(), "one example per sentence");
    assertEquals("r", examples.get(1).label(), "genre letter label");
    assertEquals(List.of("ca01-w0", "ca01-w1"), examples.get(0).tokens(), "lower-cased");
    assertEquals(List.of("nn"), examples.get(1).tags(), "tags kept");
    assertEquals(1L, examples.get(1).id(), "ids in order");
  }
}
