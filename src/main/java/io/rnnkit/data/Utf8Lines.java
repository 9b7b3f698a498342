package io.rnnkit.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a file line by line and decodes each line as strict UTF-8.
 *
 * <p>Lines end at {@code \n}; a trailing {@code \r} is removed, and so is a byte order mark at the
 * start of the file. Decoding one line at a time lets a reader report the line number of invalid
 * bytes and either stop with an error or skip the line and go on.
 */
final class Utf8Lines {

  /** Receives each decoded line. */
  @FunctionalInterface
  interface LineHandler {
    /**
     * Handles one line.
     *
     * @param lineNumber 1-based line number in the file
     */
    void accept(long lineNumber, String line) throws IOException;
  }

  private Utf8Lines() {}

  /**
   * Checks that {@code file} is a non-empty regular file.
   *
   * @throws IllegalArgumentException if it is missing, not a regular file, or has 0 bytes
   */
  static void requireNonEmptyFile(Path file, String kind) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(kind + " not found or not a regular file: " + file);
    }
    if (Files.size(file) == 0) {
      throw new IllegalArgumentException(kind + " is empty: " + file);
    }
  }

  /**
   * Calls {@code handler} for every line of {@code file} that is valid UTF-8.
   *
   * @param strict if true, a line that is not valid UTF-8 raises an error; if false, it is counted
   *     as a skip in {@code stats} and reading goes on
   * @throws IllegalArgumentException if the file is missing or empty, or if {@code strict} and a
   *     line is not valid UTF-8; the message names file and line
   */
  static void forEach(Path file, boolean strict, ReadStats stats, LineHandler handler)
      throws IOException {
    requireNonEmptyFile(file, "Input file");
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteArrayOutputStream lineBytes = new ByteArrayOutputStream(256);
    long lineNumber = 0;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      int b;
      while ((b = in.read()) != -1) {
        if (b == '\n') {
          lineNumber++;
          emit(file, lineNumber, lineBytes, decoder, strict, stats, handler);
          lineBytes.reset();
        } else {
          lineBytes.write(b);
        }
      }
      // The last line has no terminating newline.
      if (lineBytes.size() > 0) {
        lineNumber++;
        emit(file, lineNumber, lineBytes, decoder, strict, stats, handler);
      }
    }
  }

  private static void emit(
      Path file,
      long lineNumber,
      ByteArrayOutputStream lineBytes,
      CharsetDecoder decoder,
      boolean strict,
      ReadStats stats,
      LineHandler handler)
      throws IOException {
    byte[] bytes = lineBytes.toByteArray();
    int length = bytes.length;
    if (length > 0 && bytes[length - 1] == '\r') {
      length--;
    }
    String line;
    try {
      decoder.reset();
      line = decoder.decode(ByteBuffer.wrap(bytes, 0, length)).toString();
    } catch (CharacterCodingException e) {
      String message = "line is not valid UTF-8 (" + e.getMessage() + ")";
      if (strict) {
        throw new IllegalArgumentException(
            file + ":" + lineNumber + ": " + message + "; convert the file to UTF-8");
      }
      stats.skip(file, lineNumber, message);
      return;
    }
    if (lineNumber == 1 && line.startsWith("\uFEFF")) {
      line = line.substring(1);
    }
    handler.accept(lineNumber, line);
  }
}
