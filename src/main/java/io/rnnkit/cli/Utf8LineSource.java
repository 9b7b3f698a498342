package io.rnnkit.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads lines from a byte stream and decodes each as strict UTF-8 on its own, so that one invalid
 * line can be reported and skipped while the lines after it are still read.
 */
final class Utf8LineSource implements AutoCloseable {

  private final InputStream input;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private int lineNumber;

  Utf8LineSource(InputStream input) {
    this.input = new java.io.BufferedInputStream(input);
  }

  /** Returns the 1-based number of the line last returned by {@link #next()}. */
  int lineNumber() {
    return lineNumber;
  }

  /**
   * Returns the next line without its line break, or null at the end of the input.
   *
   * @throws CharacterCodingException when the line is not valid UTF-8; the next call reads the
   *     following line
   */
  String next() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int value = input.read();
    if (value < 0) {
      return null;
    }
    while (value >= 0 && value != '\n') {
      line.write(value);
      value = input.read();
    }
    lineNumber++;
    byte[] bytes = line.toByteArray();
    int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
    return decoder.reset().decode(ByteBuffer.wrap(bytes, 0, end)).toString();
  }

  @Override
  public void close() throws IOException {
    input.close();
  }
}
