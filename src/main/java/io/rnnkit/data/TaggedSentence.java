package io.rnnkit.data;

import java.util.List;
import java.util.Objects;

/**
 * Sentence with one part-of-speech tag per token.
 *
 * @param documentId id of the source document, such as the Brown file name {@code ca01}
 * @param genre Brown genre letter ({@code a} to {@code r}); see {@link BrownCorpus#genreName}
 * @param tokens words in their original case
 * @param tags tags, same size as {@code tokens}
 */
public record TaggedSentence(
    String documentId, char genre, List<String> tokens, List<String> tags) {
  /**
   * Copies the lists into unmodifiable ones.
   *
   * @throws IllegalArgumentException if the lists differ in size
   */
  public TaggedSentence {
    Objects.requireNonNull(documentId, "documentId");
    tokens = List.copyOf(tokens);
    tags = List.copyOf(tags);
    if (tokens.size() != tags.size()) {
      throw new IllegalArgumentException(
          "Sentence in document "
              + documentId
              + " has "
              + tokens.size()
              + " tokens but "
              + tags.size()
              + " tags");
    }
  }
}
