package io.rnnkit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizerTest {
  private final Tokenizer tokenizer = new Tokenizer(false);

  @Test
  void wordsNumbersAndPunctuation() {
    assertEquals(
        List.of("I", "don't", "pay", "1,000.50", "$", ",", "do", "you", "?"),
        tokenizer.tokenize("I don't pay 1,000.50$, do you?"),
        "mixed sentence");
  }

  @Test
  void eachPunctuationMarkSeparate() {
    assertEquals(
        List.of("Hi", "!", "!", "\"", "well", "-", "known", "\"", ".", ".", "."),
        tokenizer.tokenize("Hi!! \"well-known\"..."),
        "repeated punctuation");
  }

  @Test
  void unicodeLettersAndApostrophes() {
    assertEquals(
        List.of("Café", "naïve", "Zürich", "l’été", "Москва"),
        tokenizer.tokenize("Café naïve\tZürich l’été Москва"),
        "unicode words");
  }

  @Test
  void apostropheOutsideWordIsPunctuation() {
    assertEquals(
        List.of("'", "quoted", "'", "dogs", "'"),
        tokenizer.tokenize("'quoted' dogs'"),
        "leading and trailing apostrophes");
  }

  @Test
  void numberPunctuationAtEnd() {
    assertEquals(List.of("3.14", "."), tokenizer.tokenize("3.14."), "trailing period");
    assertEquals(List.of("mp", "3"), tokenizer.tokenize("mp3"), "letters and digits split");
  }

  @Test
  void lowerCasing() {
    assertEquals(
        List.of("the", "usa", "is", "big"),
        new Tokenizer(true).tokenize("The USA Is BIG"),
        "lower-cased");
  }

  @Test
  void blankTextHasNoTokens() {
    assertEquals(List.of(), tokenizer.tokenize(" \t\u00a0\n"), "whitespace only");
  }
}
