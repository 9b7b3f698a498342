package io.rnnkit.data;

import java.util.List;
import java.util.Objects;

/**
 * One input example for a classifier, tagger or language model.
 *
 * @param id unique id, assigned by the reader in reading order; {@link BucketBatcher#restoreOrder}
 *     sorts results by it
 * @param tokens tokens of the text
 * @param label class label, or null for unlabeled text
 * @param tags one tag per token, or null when the example has no tags
 */
public record Example(long id, List<String> tokens, String label, List<String> tags) {
  /**
   * Copies the lists into unmodifiable ones.
   *
   * @throws IllegalArgumentException if {@code tags} is not null and differs in size from {@code
   *     tokens}
   */
  public Example {
    tokens = List.copyOf(Objects.requireNonNull(tokens, "tokens"));
    if (tags != null) {
      tags = List.copyOf(tags);
      if (tags.size() != tokens.size()) {
        throw new IllegalArgumentException(
            "Example " + id + " has " + tokens.size() + " tokens but " + tags.size() + " tags");
      }
    }
  }
}
