package io.rnnkit.data;

import java.util.List;

/**
 * Classes that stand in for words missing from a vocabulary, built from the word's shape and
 * suffix. A word such as {@code Unpopularity} that the vocabulary lacks maps to the first of {@code
 * <unk:cap:ity>}, {@code <unk:cap:ty>}, {@code <unk:cap>} that the vocabulary contains, and to
 * {@code <unk>} when it contains none.
 *
 * <p>The shape is one of {@code num} (contains a digit), {@code caps} (at least two ASCII capitals
 * and no ASCII lower-case letter), {@code cap} (starts with an ASCII capital), {@code low} (starts
 * with an ASCII lower-case letter) and {@code other}, followed by {@code -} when the word contains
 * a hyphen. The suffix is the last 3 or 2 characters (Unicode code points), lower-cased in ASCII
 * only, of the word padded on the left with {@code ^}, so {@code "Go"} has the 3-character suffix
 * {@code ^go}.
 *
 * <p>The exported serving graph computes the same classes with TensorFlow string ops ({@code
 * RegexFullMatch}, which runs RE2 in linear time, on the patterns below, {@code StringLower}
 * without an encoding, {@code Substr} in UTF-8 characters), so a SavedModel maps unknown words
 * exactly as training did.
 */
public final class UnknownWordClasses {

  /** Start of every class token. */
  public static final String PREFIX = "<unk:";

  /** Padding placed before a word so that every word has a suffix of each length. */
  public static final String SUFFIX_PAD = "^";

  /** Suffix lengths of the classes, most specific first. */
  public static final List<Integer> SUFFIX_LENGTHS = List.of(3, 2);

  /** RE2 pattern of a word that contains a digit. */
  public static final String DIGIT_PATTERN = "(?s).*[0-9].*";

  /** Pattern of a word with at least two ASCII capitals and no ASCII lower-case letter. */
  public static final String CAPITALS_PATTERN = "(?s)[^a-z]*[A-Z][^a-z]*[A-Z][^a-z]*";

  /** Pattern of a word that starts with an ASCII capital. */
  public static final String INITIAL_CAPITAL_PATTERN = "(?s)[A-Z].*";

  /** Pattern of a word that starts with an ASCII lower-case letter. */
  public static final String LOWER_CASE_PATTERN = "(?s)[a-z].*";

  /** Pattern of a word that contains a hyphen. */
  public static final String HYPHEN_PATTERN = "(?s).*-.*";

  /** Shape names, in the order the shape tests run. The first matching pattern wins. */
  public static final List<String> SHAPES = List.of("num", "caps", "cap", "low");

  /** Pattern of each shape in {@link #SHAPES}, at the same index. */
  public static final List<String> SHAPE_PATTERNS =
      List.of(DIGIT_PATTERN, CAPITALS_PATTERN, INITIAL_CAPITAL_PATTERN, LOWER_CASE_PATTERN);

  /** Shape of a word that matches none of the shape patterns. */
  public static final String OTHER_SHAPE = "other";

  private UnknownWordClasses() {}

  /**
   * Returns the classes of {@code word}, most specific first: shape with the 3-character suffix,
   * shape with the 2-character suffix, shape alone.
   */
  public static List<String> classesOf(String word) {
    String shape = shape(word);
    return List.of(
        PREFIX + shape + ":" + suffix(word, SUFFIX_LENGTHS.get(0)) + ">",
        PREFIX + shape + ":" + suffix(word, SUFFIX_LENGTHS.get(1)) + ">",
        PREFIX + shape + ">");
  }

  /** Returns the shape of {@code word}, for example {@code cap-} for {@code Anglo-Saxon}. */
  public static String shape(String word) {
    // Plain scans that decide what the patterns match: java.util.regex backtracks on the capitals
    // pattern, which takes time cubic in the length of a long token of capitals.
    boolean digit = false;
    boolean lowerCase = false;
    boolean hyphen = false;
    int capitals = 0;
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      digit |= c >= '0' && c <= '9';
      lowerCase |= c >= 'a' && c <= 'z';
      hyphen |= c == '-';
      capitals += c >= 'A' && c <= 'Z' ? 1 : 0;
    }
    char first = word.isEmpty() ? 0 : word.charAt(0);
    String shape;
    if (digit) {
      shape = SHAPES.get(0);
    } else if (capitals >= 2 && !lowerCase) {
      shape = SHAPES.get(1);
    } else if (first >= 'A' && first <= 'Z') {
      shape = SHAPES.get(2);
    } else if (first >= 'a' && first <= 'z') {
      shape = SHAPES.get(3);
    } else {
      shape = OTHER_SHAPE;
    }
    return hyphen ? shape + "-" : shape;
  }

  /**
   * Returns the last {@code length} code points of {@code word} padded on the left with {@value
   * #SUFFIX_PAD}, with ASCII capitals lower-cased.
   */
  public static String suffix(String word, int length) {
    String padded = SUFFIX_PAD.repeat(length) + word;
    int start = padded.offsetByCodePoints(padded.length(), -length);
    return asciiLowerCase(padded.substring(start));
  }

  /** Returns whether {@code token} has the form of a class token. */
  public static boolean isClassToken(String token) {
    return token.startsWith(PREFIX) && token.endsWith(">");
  }

  private static String asciiLowerCase(String text) {
    StringBuilder lower = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      lower.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
    }
    return lower.toString();
  }
}
