package io.rnnkit.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reader for the Brown corpus in form C (tagged), as unpacked by {@code scripts/fetch-data.sh}.
 *
 * <p>The corpus has 500 files named {@code c<genre><number>}, {@code ca01} to {@code cr09}. Each
 * non-blank line is one sentence of whitespace-separated {@code word/tag} tokens, for example
 * {@code The/at jury/nn said/vbd ./.}. A token is split at its last {@code /}, because words such
 * as {@code 1/2} contain slashes. Words keep their case.
 */
public final class BrownCorpus {
  private static final Logger LOG = LoggerFactory.getLogger(BrownCorpus.class);

  /** Brown file names: {@code c}, a genre letter, two digits. */
  private static final Pattern FILE_NAME = Pattern.compile("c[a-r][0-9]{2}");

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private static final Map<Character, String> GENRES =
      Map.ofEntries(
          Map.entry('a', "press: reportage"),
          Map.entry('b', "press: editorial"),
          Map.entry('c', "press: reviews"),
          Map.entry('d', "religion"),
          Map.entry('e', "skill and hobbies"),
          Map.entry('f', "popular lore"),
          Map.entry('g', "belles-lettres"),
          Map.entry('h', "miscellaneous: government and house organs"),
          Map.entry('j', "learned"),
          Map.entry('k', "fiction: general"),
          Map.entry('l', "fiction: mystery and detective"),
          Map.entry('m', "fiction: science"),
          Map.entry('n', "fiction: adventure and western"),
          Map.entry('p', "fiction: romance and love story"),
          Map.entry('r', "humor"));

  private BrownCorpus() {}

  /**
   * Returns the name of a Brown genre, such as {@code "press: reportage"} for {@code 'a'}.
   *
   * @throws IllegalArgumentException for a letter that is not one of the 15 Brown genres ({@code a}
   *     to {@code r} without {@code i}, {@code o} and {@code q})
   */
  public static String genreName(char genre) {
    String name = GENRES.get(genre);
    if (name == null) {
      throw new IllegalArgumentException(
          "Invalid Brown genre '" + genre + "'; valid genres are a-h, j-n, p and r");
    }
    return name;
  }

  /**
   * Reads every Brown file in {@code dir}, sorted by file name.
   *
   * <p>Files whose names do not match {@code c[a-r]NN} (README, CONTENTS, cats.txt) are ignored.
   *
   * @throws IllegalArgumentException if {@code dir} is missing or contains no Brown files, or if a
   *     file is empty
   */
  public static List<BrownDocument> readDirectory(Path dir) throws IOException {
    return readDirectory(dir, new ReadStats());
  }

  /**
   * Reads every Brown file in {@code dir} like {@link #readDirectory(Path)} and adds the number of
   * sentences read and malformed tokens skipped to {@code stats}.
   */
  public static List<BrownDocument> readDirectory(Path dir, ReadStats stats) throws IOException {
    List<Path> files = listFiles(dir);
    List<BrownDocument> documents = new ArrayList<>(files.size());
    for (Path file : files) {
      documents.add(readFile(file, stats));
    }
    LOG.info(
        "Read {} Brown documents, {} sentences from {}; skipped {} malformed tokens",
        documents.size(),
        stats.records(),
        dir,
        stats.skipped());
    return documents;
  }

  /**
   * Returns the Brown files in {@code dir}, sorted by name.
   *
   * @throws IllegalArgumentException if {@code dir} is missing or contains no Brown files
   */
  public static List<Path> listFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "Brown corpus directory not found: "
              + dir
              + "; run scripts/fetch-data.sh to download it into data/brown");
    }
    List<Path> files;
    try (Stream<Path> entries = Files.list(dir)) {
      files =
          entries
              .filter(p -> FILE_NAME.matcher(p.getFileName().toString()).matches())
              .filter(Files::isRegularFile)
              .sorted()
              .toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException(
          "No Brown corpus files (ca01 ... cr09) in "
              + dir
              + "; run scripts/fetch-data.sh to download them into data/brown");
    }
    return files;
  }

  /**
   * Reads one Brown file into a document whose id is the file name.
   *
   * @throws IllegalArgumentException if the file name is not a Brown name, the file is empty or
   *     contains no sentence, or a line is not valid UTF-8
   */
  public static BrownDocument readFile(Path file, ReadStats stats) throws IOException {
    List<TaggedSentence> sentences = new ArrayList<>();
    forEachSentence(file, stats, sentences::add);
    String name = file.getFileName().toString();
    if (sentences.isEmpty()) {
      throw new IllegalArgumentException(
          "Brown file " + file + " contains no sentences; run scripts/fetch-data.sh again");
    }
    return new BrownDocument(name, name.charAt(1), sentences);
  }

  /**
   * Streams the sentences of one Brown file to {@code action}, one line at a time, without holding
   * the file in memory.
   *
   * <p>A token without a {@code /}, or with an empty word or tag, is skipped and counted in {@code
   * stats} with file and line. A line whose tokens are all malformed yields no sentence.
   *
   * @throws IllegalArgumentException if the file name is not a Brown name ({@code c[a-r]NN}), the
   *     file is missing or empty, or a line is not valid UTF-8
   */
  public static void forEachSentence(Path file, ReadStats stats, Consumer<TaggedSentence> action)
      throws IOException {
    String name = file.getFileName().toString();
    if (!FILE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "Not a Brown corpus file name: " + file + "; expected c<genre letter><two digits>");
    }
    char genre = name.charAt(1);
    genreName(genre);
    Utf8Lines.requireNonEmptyFile(file, "Brown file");
    Utf8Lines.forEach(
        file,
        true,
        stats,
        (lineNumber, line) -> {
          String trimmed = line.strip();
          if (trimmed.isEmpty()) {
            return;
          }
          List<String> words = new ArrayList<>();
          List<String> tags = new ArrayList<>();
          for (String token : WHITESPACE.split(trimmed)) {
            int slash = token.lastIndexOf('/');
            if (slash <= 0 || slash == token.length() - 1) {
              stats.skip(file, lineNumber, "malformed token \"" + token + "\", expected word/tag");
              continue;
            }
            words.add(token.substring(0, slash));
            tags.add(token.substring(slash + 1));
          }
          if (!words.isEmpty()) {
            stats.addRecord();
            action.accept(new TaggedSentence(name, genre, words, tags));
          }
        });
  }
}
