package io.rnnkit.transfer;

import io.rnnkit.data.Example;
import io.rnnkit.data.Vocabulary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Coverage of a new task's words by a pretrained vocabulary, and its extension by them. */
public final class VocabularyTransfer {

  private VocabularyTransfer() {}

  /**
   * Counts of the tokens of a task that a vocabulary lacks.
   *
   * @param tokens all tokens of the examples
   * @param unknown tokens that map to {@code <unk>}
   * @param unknownTypes distinct unknown words
   * @param topUnknown the most frequent unknown words with their counts, most frequent first
   */
  public record Coverage(
      long tokens, long unknown, int unknownTypes, List<Map.Entry<String, Integer>> topUnknown) {

    /** Returns the share of tokens that map to {@code <unk>}, 0 for no tokens. */
    public double unknownRate() {
      return tokens == 0 ? 0 : (double) unknown / tokens;
    }
  }

  /** Counts the tokens of {@code examples} that {@code vocabulary} lacks. */
  public static Coverage coverage(Vocabulary vocabulary, List<Example> examples, int top) {
    long tokens = 0;
    long unknown = 0;
    Map<String, Integer> counts = new HashMap<>();
    for (Example example : examples) {
      for (String token : example.tokens()) {
        tokens++;
        if (!vocabulary.contains(token)) {
          unknown++;
          counts.merge(token, 1, Integer::sum);
        }
      }
    }
    return new Coverage(tokens, unknown, counts.size(), mostFrequent(counts, top));
  }

  /**
   * Returns {@code pretrained} followed by the words of {@code examples} it lacks that occur at
   * least {@code minCount} times, most frequent first (ties by token). Pretrained ids are
   * unchanged, so the pretrained embedding rows stay valid.
   */
  public static Vocabulary extend(Vocabulary pretrained, List<Example> examples, int minCount) {
    if (minCount < 1) {
      throw new IllegalArgumentException("minCount must be at least 1, got " + minCount);
    }
    Map<String, Integer> counts = new HashMap<>();
    for (Example example : examples) {
      for (String token : example.tokens()) {
        if (!pretrained.contains(token)) {
          counts.merge(token, 1, Integer::sum);
        }
      }
    }
    counts.values().removeIf(count -> count < minCount);
    List<String> tokens = new ArrayList<>(pretrained.tokens());
    for (Map.Entry<String, Integer> entry : mostFrequent(counts, counts.size())) {
      tokens.add(entry.getKey());
    }
    return fromTokens(tokens);
  }

  // NOTE: Vocabulary has no public constructor from a token list, so the extended list goes
  // through its file format, which stores one token per line with the line index as id.
  private static Vocabulary fromTokens(List<String> tokens) {
    try {
      Path file = Files.createTempFile("rnnkit-vocabulary", ".txt");
      try {
        Files.write(file, tokens);
        return Vocabulary.load(file);
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("failed to build the extended vocabulary", e);
    }
  }

  private static List<Map.Entry<String, Integer>> mostFrequent(
      Map<String, Integer> counts, int top) {
    List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
    entries.sort(
        (a, b) -> {
          int byCount = Integer.compare(b.getValue(), a.getValue());
          return byCount != 0 ? byCount : a.getKey().compareTo(b.getKey());
        });
    return List.copyOf(
        entries.subList(0, Math.min(top, entries.size())).stream()
            .map(e -> Map.entry(e.getKey(), e.getValue()))
            .toList());
  }
}
