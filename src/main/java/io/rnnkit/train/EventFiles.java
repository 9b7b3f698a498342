package io.rnnkit.train;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.tensorflow.proto.Event;

/**
 * Reads TensorFlow event files (TFRecord framing): each record is a little-endian uint64 length,
 * the masked CRC-32C of those 8 bytes, the {@code Event} protocol buffer, and its masked CRC-32C.
 */
public final class EventFiles {
  private static final int MASK_DELTA = 0xa282ead8;

  private EventFiles() {}

  /**
   * Returns every event of {@code file}, checking both checksums of each record.
   *
   * @throws IOException if the file cannot be read, a checksum differs or a record is cut short
   */
  public static List<Event> read(Path file) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    List<Event> events = new ArrayList<>();
    while (buffer.hasRemaining()) {
      if (buffer.remaining() < 12) {
        throw new IOException(file + ": record header cut short at byte " + buffer.position());
      }
      int headerAt = buffer.position();
      long length = buffer.getLong();
      check(file, buffer.array(), headerAt, 8, buffer.getInt(), "length");
      if (length < 0 || length + 4 > buffer.remaining()) {
        throw new IOException(file + ": record at byte " + headerAt + " is cut short");
      }
      int dataAt = buffer.position();
      buffer.position(dataAt + (int) length);
      check(file, buffer.array(), dataAt, (int) length, buffer.getInt(), "data");
      try {
        events.add(Event.parseFrom(ByteBuffer.wrap(buffer.array(), dataAt, (int) length)));
      } catch (InvalidProtocolBufferException e) {
        throw new IOException(file + ": record at byte " + headerAt + " is not an Event", e);
      }
    }
    return events;
  }

  private static void check(Path file, byte[] data, int offset, int length, int stored, String part)
      throws IOException {
    CRC32C crc = new CRC32C();
    crc.update(data, offset, length);
    int value = (int) crc.getValue();
    int masked = ((value >>> 15) | (value << 17)) + MASK_DELTA;
    if (masked != stored) {
      throw new IOException(
          file + ": " + part + " checksum of the record at byte " + offset + " does not match");
    }
  }
}
