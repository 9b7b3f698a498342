package io.rnnkit.transfer;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Maps a variable of the new model to the key that contains its value in a pretrained bundle. */
@FunctionalInterface
public interface NameMapping {

  /** Returns the bundle key for {@code variable}, or empty where this source has none for it. */
  Optional<String> sourceKey(String variable);

  /** Returns the mapping that looks every variable up under its own name. */
  static NameMapping identity() {
    return Optional::of;
  }

  /**
   * Returns the mapping that fills one direction of a bidirectional encoder from a unidirectional
   * language model: {@code bidirectional/forward_lstm/kernel} comes from {@code lstm/kernel},
   * {@code bidirectional_1/forward_lstm_1/bias} from {@code lstm_1/bias}, and so on. With {@code
   * withEmbedding}, {@code embedding/...} and {@code lm_head/...} (the output layer of an auxiliary
   * language-model loss) come from the same name. Other variables get no key.
   */
  static NameMapping bidirectionalHalf(Direction direction, boolean withEmbedding) {
    Pattern pattern =
        Pattern.compile("bidirectional(_\\d+)?/" + direction.prefix() + "([a-z_]+?(_\\d+)?)/(.+)");
    return variable -> {
      if (variable.startsWith("embedding/") || variable.startsWith("lm_head/")) {
        return withEmbedding ? Optional.of(variable) : Optional.empty();
      }
      Matcher matcher = pattern.matcher(variable);
      if (!matcher.matches()) {
        return Optional.empty();
      }
      return Optional.of(matcher.group(2) + "/" + matcher.group(4));
    };
  }

  /** Direction of a bidirectional encoder. */
  enum Direction {
    FORWARD("forward_"),
    BACKWARD("backward_");

    private final String prefix;

    Direction(String prefix) {
      this.prefix = prefix;
    }

    String prefix() {
      return prefix;
    }
  }
}
