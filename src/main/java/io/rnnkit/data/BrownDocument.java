package io.rnnkit.data;

import java.util.List;

/**
 * One Brown corpus file.
 *
 * @param id file name, such as {@code ca01}
 * @param genre genre letter, the second character of the file name
 * @param sentences sentences in file order
 */
public record BrownDocument(String id, char genre, List<TaggedSentence> sentences) {
  /** Copies {@code sentences} into an unmodifiable list. */
  public BrownDocument {
    sentences = List.copyOf(sentences);
  }

  /** Returns the number of tokens in all sentences. */
  public int tokenCount() {
    int count = 0;
    for (TaggedSentence sentence : sentences) {
      count += sentence.tokens().size();
    }
    return count;
  }
}
