package io.rnnkit.transfer;

import io.rnnkit.data.Example;
import io.rnnkit.data.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** Small labeled sentences made in code, and helpers that read variables from a session. */
final class TransferData {
  private TransferData() {}

  static final List<String> SPORT = List.of("ball", "goal", "team", "match", "score");
  static final List<String> COOKING = List.of("salt", "oven", "bread", "pan", "soup");
  static final List<String> SHARED = List.of("the", "a", "was", "good", "today");

  /** Returns {@code count} sentences of 3 to 9 tokens, alternately "sport" and "cooking". */
  static List<Example> examples(int count, long seed) {
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

  static Vocabulary vocabulary(List<Example> examples) {
    return Vocabulary.build(examples.stream().map(Example::tokens).toList(), 1, 0, List.of());
  }

  /** Concatenates the examples' token ids into one stream, one document per example. */
  static int[][] stream(List<Example> examples, Vocabulary vocabulary) {
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

  /** Returns the float values of the variable (or any float op) named {@code name}. */
  static float[] read(Session session, String name) {
    try (Tensor tensor = session.runner().fetch(name).run().get(0)) {
      TFloat32 values = (TFloat32) tensor;
      float[] flat = new float[(int) values.size()];
      values.asRawTensor().data().asFloats().read(flat);
      return flat;
    }
  }

  /** Returns the int64 scalar variable named {@code name}. */
  static long readLong(Session session, String name) {
    try (Tensor tensor = session.runner().fetch(name).run().get(0)) {
      return ((TInt64) tensor).getLong();
    }
  }
}
