package io.rnnkit.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Small synthetic text made in code for the tests of several packages. It has two topics whose
 * sentences share a few words.
 */
public final class TinyCorpus {
  private TinyCorpus() {}

  static final List<String> SPORT = List.of("ball", "goal", "team", "match", "score");
  static final List<String> COOKING = List.of("salt", "oven", "bread", "pan", "soup");
  static final List<String> SHARED = List.of("the", "a", "was", "good", "today");

  /**
   * Returns {@code count} labeled sentences of 3 to 9 tokens, alternately "sport" and "cooking".
   */
  public static List<Example> examples(int count, long seed) {
    Random random = new Random(seed);
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      boolean sport = i % 2 == 0;
      List<String> topic = sport ? SPORT : COOKING;
      int length = 3 + random.nextInt(7);
      List<String> tokens = new ArrayList<>();
      for (int t = 0; t < length; t++) {
        List<String> source = random.nextInt(3) == 0 ? SHARED : topic;
        tokens.add(source.get(random.nextInt(source.size())));
      }
      examples.add(new Example(i, tokens, sport ? "sport" : "cooking", null));
    }
    return examples;
  }

  public static Vocabulary vocabulary(List<Example> examples) {
    return Vocabulary.build(examples.stream().map(Example::tokens).toList(), 1, 0, List.of());
  }

  /** Concatenates the examples' token ids into one stream, one document per example. */
  public static int[][] stream(List<Example> examples, Vocabulary vocabulary) {
    List<Integer> ids = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    for (Example example : examples) {
      starts.add(ids.size());
      for (int id : vocabulary.ids(example.tokens())) {
        ids.add(id);
      }
    }
    return new int[][] {
      ids.stream().mapToInt(Integer::intValue).toArray(),
      starts.stream().mapToInt(Integer::intValue).toArray()
    };
  }
}
