package io.rnnkit.export;

import static io.rnnkit.data.UnknownWordClasses.PREFIX;

import io.rnnkit.data.UnknownWordClasses;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.strings.Substr;
import org.tensorflow.types.TString;

/**
 * Computes {@link UnknownWordClasses} of string tokens with TensorFlow string ops, so that an
 * exported graph maps unknown words to the classes that the Java vocabulary lookup gives.
 */
final class UnknownWordClassOps {

  private UnknownWordClassOps() {}

  /**
   * Returns the class tokens of every token, most specific first, each the shape of {@code tokens}.
   */
  static List<Operand<TString>> classesOf(Ops tf, Operand<TString> tokens) {
    Operand<TString> shape = shape(tf, tokens);
    List<Operand<TString>> classes = new ArrayList<>();
    for (int length : UnknownWordClasses.SUFFIX_LENGTHS) {
      classes.add(
          tf.strings.join(
              List.of(
                  tf.constant(PREFIX),
                  shape,
                  tf.constant(":"),
                  suffix(tf, tokens, length),
                  tf.constant(">"))));
    }
    classes.add(tf.strings.join(List.of(tf.constant(PREFIX), shape, tf.constant(">"))));
    return classes;
  }

  private static Operand<TString> shape(Ops tf, Operand<TString> tokens) {
    Operand<TString> shape = tf.fill(tf.shape(tokens), tf.constant(UnknownWordClasses.OTHER_SHAPE));
    List<String> shapes = UnknownWordClasses.SHAPES;
    List<String> patterns = UnknownWordClasses.SHAPE_PATTERNS;
    // Applied from the last test to the first, so the first matching pattern wins.
    for (int i = shapes.size() - 1; i >= 0; i--) {
      shape =
          tf.select(
              tf.strings.regexFullMatch(tokens, tf.constant(patterns.get(i))),
              tf.fill(tf.shape(tokens), tf.constant(shapes.get(i))),
              shape);
    }
    Operand<TString> hyphenated = tf.strings.join(List.of(shape, tf.constant("-")));
    return tf.select(
        tf.strings.regexFullMatch(tokens, tf.constant(UnknownWordClasses.HYPHEN_PATTERN)),
        hyphenated,
        shape);
  }

  private static Operand<TString> suffix(Ops tf, Operand<TString> tokens, int length) {
    // StringLower without an encoding lower-cases ASCII only, as the Java side does.
    Operand<TString> padded =
        tf.strings.join(
            List.of(
                tf.constant(UnknownWordClasses.SUFFIX_PAD.repeat(length)),
                tf.strings.lower(tokens)));
    return tf.strings.substr(
        padded, tf.constant(-length), tf.constant(length), Substr.unit("UTF8_CHAR"));
  }
}
