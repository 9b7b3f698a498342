package io.rnnkit.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable mapping between tokens and integer ids.
 *
 * <p>Id {@value #PAD_ID} is always {@value #PAD_TOKEN} and id {@value #UNK_ID} is always {@value
 * #UNK_TOKEN}. Extra special tokens such as {@value #BOS_TOKEN} and {@value #EOS_TOKEN} follow
 * them, then corpus tokens by descending count, ties broken by ascending token ({@link
 * String#compareTo}), so building twice from the same data gives the same ids.
 *
 * <p>The file format of {@link #save} and {@link #load} is UTF-8 text with one token per line,
 * where the line index (0-based) is the id.
 */
public final class Vocabulary {
  /** Id of the padding token; padded batch slots contain this id. */
  public static final int PAD_ID = 0;

  /** Id that {@link #id} returns for tokens not in the vocabulary. */
  public static final int UNK_ID = 1;

  /** Padding token, always id {@value #PAD_ID}. */
  public static final String PAD_TOKEN = "<pad>";

  /** Unknown-token marker, always id {@value #UNK_ID}. */
  public static final String UNK_TOKEN = "<unk>";

  /** Begin-of-sequence token, present only when passed as an extra special to {@link #build}. */
  public static final String BOS_TOKEN = "<bos>";

  /** End-of-sequence token, present only when passed as an extra special to {@link #build}. */
  public static final String EOS_TOKEN = "<eos>";

  private final List<String> tokens;
  private final Map<String, Integer> ids;
  private final boolean unknownWordClasses;

  private Vocabulary(List<String> tokens) {
    this.tokens = List.copyOf(tokens);
    Map<String, Integer> map = new HashMap<>(tokens.size() * 2);
    boolean classes = false;
    for (int i = 0; i < tokens.size(); i++) {
      map.put(tokens.get(i), i);
      classes |= UnknownWordClasses.isClassToken(tokens.get(i));
    }
    this.ids = Collections.unmodifiableMap(map);
    this.unknownWordClasses = classes;
  }

  /**
   * Builds a vocabulary from tokenized sentences.
   *
   * <p>Occurrences of the special tokens in the sentences are not counted, because those tokens
   * already have fixed ids.
   *
   * @param sentences token lists; each is iterated once
   * @param minCount keep only tokens seen at least this many times (at least 1)
   * @param maxSize maximum number of ids including the special tokens, or 0 for no limit
   * @param extraSpecials special tokens placed right after {@value #PAD_TOKEN} and {@value
   *     #UNK_TOKEN}, in the given order, for example {@code List.of(BOS_TOKEN, EOS_TOKEN)}
   * @throws IllegalArgumentException if {@code minCount < 1}, {@code maxSize} is negative or too
   *     small for the special tokens, a special token repeats, or a token is empty or contains a
   *     line break (it could not be saved one per line)
   */
  public static Vocabulary build(
      Iterable<? extends List<String>> sentences,
      int minCount,
      int maxSize,
      List<String> extraSpecials) {
    Objects.requireNonNull(sentences, "sentences");
    Objects.requireNonNull(extraSpecials, "extraSpecials");
    if (minCount < 1) {
      throw new IllegalArgumentException("minCount must be at least 1, got " + minCount);
    }
    if (maxSize < 0) {
      throw new IllegalArgumentException(
          "maxSize must be 0 (no limit) or positive, got " + maxSize);
    }

    List<String> specials = new ArrayList<>();
    specials.add(PAD_TOKEN);
    specials.add(UNK_TOKEN);
    for (String special : extraSpecials) {
      checkToken(special);
      if (specials.contains(special)) {
        throw new IllegalArgumentException(
            "Special token " + special + " is listed twice or repeats <pad>/<unk>");
      }
      specials.add(special);
    }
    if (maxSize != 0 && maxSize < specials.size()) {
      throw new IllegalArgumentException(
          "maxSize "
              + maxSize
              + " is smaller than the "
              + specials.size()
              + " special tokens "
              + specials);
    }
    Set<String> specialSet = new HashSet<>(specials);

    Map<String, Integer> counts = new HashMap<>();
    for (List<String> sentence : sentences) {
      for (String token : sentence) {
        if (!specialSet.contains(token)) {
          counts.merge(token, 1, Integer::sum);
        }
      }
    }

    List<Map.Entry<String, Integer>> entries = new ArrayList<>();
    for (Map.Entry<String, Integer> entry : counts.entrySet()) {
      if (entry.getValue() >= minCount) {
        entries.add(entry);
      }
    }
    entries.sort(
        (a, b) -> {
          int byCount = Integer.compare(b.getValue(), a.getValue());
          return byCount != 0 ? byCount : a.getKey().compareTo(b.getKey());
        });

    List<String> tokens = new ArrayList<>(specials);
    for (Map.Entry<String, Integer> entry : entries) {
      if (maxSize != 0 && tokens.size() >= maxSize) {
        break;
      }
      checkToken(entry.getKey());
      tokens.add(entry.getKey());
    }
    return new Vocabulary(tokens);
  }

  /**
   * Builds a vocabulary like {@link #build} and appends the {@link UnknownWordClasses} of the words
   * it leaves out, so that {@link #id} maps an unknown word to its class rather than to {@value
   * #UNK_TOKEN}. A class is kept when the left-out words of the training sentences give it at least
   * {@code minClassCount} tokens, so every kept class trains on those tokens.
   *
   * @param sentences token lists, iterated twice (so not a one-shot iterable)
   * @param minCount keep only words seen at least this many times (at least 1)
   * @param maxSize maximum number of special tokens and words, or 0 for no limit; the classes come
   *     on top of it
   * @param extraSpecials special tokens placed right after {@value #PAD_TOKEN} and {@value
   *     #UNK_TOKEN}
   * @param minClassCount keep only classes seen at least this many times (at least 1)
   * @throws IllegalArgumentException as {@link #build} does, or if {@code minClassCount < 1}
   */
  public static Vocabulary buildWithUnknownWordClasses(
      Iterable<? extends List<String>> sentences,
      int minCount,
      int maxSize,
      List<String> extraSpecials,
      int minClassCount) {
    if (minClassCount < 1) {
      throw new IllegalArgumentException("minClassCount must be at least 1, got " + minClassCount);
    }
    Vocabulary words = build(sentences, minCount, maxSize, extraSpecials);
    Map<String, Integer> counts = new HashMap<>();
    for (List<String> sentence : sentences) {
      for (String token : sentence) {
        if (!words.contains(token)) {
          for (String wordClass : UnknownWordClasses.classesOf(token)) {
            counts.merge(wordClass, 1, Integer::sum);
          }
        }
      }
    }
    List<Map.Entry<String, Integer>> kept = new ArrayList<>();
    for (Map.Entry<String, Integer> entry : counts.entrySet()) {
      if (entry.getValue() >= minClassCount && !words.contains(entry.getKey())) {
        kept.add(entry);
      }
    }
    kept.sort(
        (a, b) -> {
          int byCount = Integer.compare(b.getValue(), a.getValue());
          return byCount != 0 ? byCount : a.getKey().compareTo(b.getKey());
        });
    List<String> tokens = new ArrayList<>(words.tokens());
    for (Map.Entry<String, Integer> entry : kept) {
      tokens.add(entry.getKey());
    }
    return new Vocabulary(tokens);
  }

  private static void checkToken(String token) {
    Objects.requireNonNull(token, "token");
    if (token.isEmpty() || token.indexOf('\n') >= 0 || token.indexOf('\r') >= 0) {
      throw new IllegalArgumentException(
          "Invalid vocabulary token \""
              + token.replace("\n", "\\n").replace("\r", "\\r")
              + "\": tokens must be non-empty and contain no line break");
    }
  }

  /**
   * Returns the id of {@code token}. A token not in the vocabulary gets the id of its most specific
   * {@link UnknownWordClasses unknown-word class} that the vocabulary contains, or {@link #UNK_ID}.
   */
  public int id(String token) {
    Integer id = ids.get(Objects.requireNonNull(token, "token"));
    if (id != null) {
      return id;
    }
    if (unknownWordClasses) {
      for (String wordClass : UnknownWordClasses.classesOf(token)) {
        Integer classId = ids.get(wordClass);
        if (classId != null) {
          return classId;
        }
      }
    }
    return UNK_ID;
  }

  /**
   * Returns whether the vocabulary contains unknown-word classes, so that {@link #id} maps unknown
   * words to them.
   */
  public boolean hasUnknownWordClasses() {
    return unknownWordClasses;
  }

  /** Returns the ids of {@code tokens}, unknown tokens mapped as {@link #id} does. */
  public int[] ids(List<String> tokens) {
    int[] result = new int[tokens.size()];
    for (int i = 0; i < result.length; i++) {
      result[i] = id(tokens.get(i));
    }
    return result;
  }

  /**
   * Returns the token with id {@code id}.
   *
   * @throws IndexOutOfBoundsException if {@code id} is negative or not below {@link #size()}
   */
  public String token(int id) {
    if (id < 0 || id >= tokens.size()) {
      throw new IndexOutOfBoundsException(
          "Token id " + id + " is outside the vocabulary of size " + tokens.size());
    }
    return tokens.get(id);
  }

  /** Returns the number of ids, special tokens included. */
  public int size() {
    return tokens.size();
  }

  /** Returns all tokens, indexed by id; the list is unmodifiable. */
  public List<String> tokens() {
    return tokens;
  }

  /** Returns whether {@code token} has its own id (special tokens included). */
  public boolean contains(String token) {
    return ids.containsKey(token);
  }

  /**
   * Writes the vocabulary as UTF-8, one token per line.
   *
   * <p>The text goes to a temporary file in the same directory, which is then renamed onto {@code
   * file} atomically, so readers never see a half-written vocabulary.
   */
  public void save(Path file) throws IOException {
    Path absolute = file.toAbsolutePath();
    Path directory = absolute.getParent();
    Files.createDirectories(directory);
    Path temp = Files.createTempFile(directory, absolute.getFileName().toString(), ".tmp");
    try {
      try (BufferedWriter writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
        for (String token : tokens) {
          writer.write(token);
          writer.write('\n');
        }
      }
      try {
        Files.move(
            temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(
            "Failed to save vocabulary to "
                + absolute
                + ": the file system does not support atomic rename; save it to a local disk",
            e);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Reads a vocabulary written by {@link #save}.
   *
   * @throws IllegalArgumentException if the file is missing or empty, is not valid UTF-8, does not
   *     start with {@value #PAD_TOKEN} and {@value #UNK_TOKEN} on its first two lines, or contains
   *     an empty line or a duplicate token; the message names file and line
   */
  public static Vocabulary load(Path file) throws IOException {
    List<String> tokens = new ArrayList<>();
    Map<String, Long> firstLine = new HashMap<>();
    Utf8Lines.forEach(
        file,
        true,
        new ReadStats(),
        (lineNumber, line) -> {
          if (line.isEmpty()) {
            throw new IllegalArgumentException(
                file + ":" + lineNumber + ": empty line in vocabulary file; remove it");
          }
          Long previous = firstLine.putIfAbsent(line, lineNumber);
          if (previous != null) {
            throw new IllegalArgumentException(
                file
                    + ":"
                    + lineNumber
                    + ": duplicate token \""
                    + line
                    + "\", already on line "
                    + previous);
          }
          tokens.add(line);
        });
    checkSpecialLine(file, tokens, PAD_ID, PAD_TOKEN);
    checkSpecialLine(file, tokens, UNK_ID, UNK_TOKEN);
    return new Vocabulary(tokens);
  }

  private static void checkSpecialLine(Path file, List<String> tokens, int id, String expected) {
    int lineNumber = id + 1;
    if (tokens.size() <= id) {
      throw new IllegalArgumentException(
          file
              + ":"
              + lineNumber
              + ": missing; a vocabulary file must start with "
              + PAD_TOKEN
              + " and "
              + UNK_TOKEN
              + " on its first two lines");
    }
    if (!tokens.get(id).equals(expected)) {
      throw new IllegalArgumentException(
          file
              + ":"
              + lineNumber
              + ": expected "
              + expected
              + " but found \""
              + tokens.get(id)
              + "\"; a vocabulary file must start with "
              + PAD_TOKEN
              + " and "
              + UNK_TOKEN);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Vocabulary that && tokens.equals(that.tokens);
  }

  @Override
  public int hashCode() {
    return tokens.hashCode();
  }

  @Override
  public String toString() {
    return "Vocabulary[size=" + tokens.size() + "]";
  }
}
