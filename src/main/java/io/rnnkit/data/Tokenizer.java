package io.rnnkit.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits raw text into word, number and punctuation tokens.
 *
 * <ul>
 *   <li>A word is a run of Unicode letters and combining marks. An apostrophe ({@code '} or {@code
 *       ’}) between two letters stays inside the word, so {@code don't} is one token.
 *   <li>A number is a run of decimal digits, with single {@code .} or {@code ,} allowed between
 *       digits: {@code 3.14} and {@code 1,000,000} are one token each.
 *   <li>Every other character that is not whitespace or a control or format character is a token of
 *       its own, so {@code "Hi!!"} gives {@code Hi}, {@code !}, {@code !}.
 * </ul>
 *
 * <p>Letters and digits are not mixed in one token: {@code mp3} gives {@code mp}, {@code 3}, and
 * {@code well-known} gives {@code well}, {@code -}, {@code known}. Instances are immutable and
 * thread-safe.
 */
public final class Tokenizer {
  private static final Pattern TOKEN =
      Pattern.compile(
          "[\\p{L}\\p{M}]+(?:['\u2019][\\p{L}\\p{M}]+)*"
              + "|\\p{Nd}+(?:[.,]\\p{Nd}+)*"
              + "|[^\\p{IsWhite_Space}\\p{L}\\p{M}\\p{Nd}\\p{C}]");

  private final boolean lowerCase;

  /**
   * Creates a tokenizer.
   *
   * @param lowerCase whether to lower-case tokens, with {@link Locale#ROOT} rules
   */
  public Tokenizer(boolean lowerCase) {
    this.lowerCase = lowerCase;
  }

  /** Returns whether this tokenizer lower-cases its tokens. */
  public boolean lowerCase() {
    return lowerCase;
  }

  /** Returns the tokens of {@code text} in order; blank text gives an empty list. */
  public List<String> tokenize(String text) {
    List<String> tokens = new ArrayList<>();
    Matcher matcher = TOKEN.matcher(text);
    while (matcher.find()) {
      String token = matcher.group();
      tokens.add(lowerCase ? token.toLowerCase(Locale.ROOT) : token);
    }
    return tokens;
  }
}
