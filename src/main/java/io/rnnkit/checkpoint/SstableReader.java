package io.rnnkit.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads every key and value of a LevelDB-format table, the format of a tensor bundle's {@code
 * .index} file.
 *
 * <p>Layout: data blocks, a metaindex block, an index block, then a 48-byte footer that contains
 * the metaindex and index block handles (varint64 offset and size each, zero-padded to 40 bytes)
 * and the little-endian magic number {@code 0xdb4775248b80fb57}. Each block is followed by a 5-byte
 * trailer: one compression-type byte and the masked CRC-32C of the block contents plus that type
 * byte. A block is a run of entries ({@code varint32 shared, varint32 unshared, varint32
 * valueLength, key suffix, value}) whose keys share a prefix with the previous key, then a uint32
 * array of restart offsets and its uint32 length. The index block maps a separator key to the
 * handle of each data block, in key order.
 */
final class SstableReader {
  static final long TABLE_MAGIC = 0xdb4775248b80fb57L;
  private static final int FOOTER_LENGTH = 48;
  private static final int BLOCK_TRAILER_LENGTH = 5;
  private static final int NO_COMPRESSION = 0;
  private static final int SNAPPY_COMPRESSION = 1;

  private final Path file;
  private final byte[] bytes;

  private SstableReader(Path file, byte[] bytes) {
    this.file = file;
    this.bytes = bytes;
  }

  /**
   * Reads all entries of {@code file}, in the table's key order.
   *
   * @throws CheckpointFormatException if the file is missing, truncated, has a bad magic number or
   *     block checksum, or uses compressed blocks
   */
  static Map<String, byte[]> readAll(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CheckpointFormatException(
          "Checkpoint index file not found: "
              + file
              + ". Pass the checkpoint prefix (the path without .index), or a SavedModel"
              + " directory that contains variables/variables.index.",
          e);
    }
    return new SstableReader(file, bytes).readEntries();
  }

  private Map<String, byte[]> readEntries() throws CheckpointFormatException {
    if (bytes.length < FOOTER_LENGTH) {
      throw corrupt(
          "file is "
              + bytes.length
              + " bytes, shorter than the "
              + FOOTER_LENGTH
              + "-byte table footer (truncated?)");
    }
    int footerStart = bytes.length - FOOTER_LENGTH;
    long magic =
        ByteBuffer.wrap(bytes, bytes.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (magic != TABLE_MAGIC) {
      throw corrupt(
          String.format(
              "bad table magic number 0x%016x, expected 0x%016x (truncated or not an index file?)",
              magic, TABLE_MAGIC));
    }
    Cursor footer = new Cursor(footerStart, bytes.length - 8);
    footer.readVarint64(); // metaindex offset: TensorFlow stores no meta blocks that we need.
    footer.readVarint64(); // metaindex size
    long indexOffset = footer.readVarint64();
    long indexSize = footer.readVarint64();

    Map<String, byte[]> entries = new LinkedHashMap<>();
    Map<String, byte[]> index = new LinkedHashMap<>();
    readBlock(indexOffset, indexSize, "index block", index);
    for (Map.Entry<String, byte[]> handle : index.entrySet()) {
      byte[] handleBytes = handle.getValue();
      Cursor cursor = new Cursor(handleBytes, 0, handleBytes.length);
      long offset = cursor.readVarint64();
      long size = cursor.readVarint64();
      readBlock(offset, size, "data block at offset " + offset, entries);
    }
    return entries;
  }

  private void readBlock(long offset, long size, String what, Map<String, byte[]> out)
      throws CheckpointFormatException {
    if (offset < 0
        || size < 4
        || offset + size + BLOCK_TRAILER_LENGTH > bytes.length - FOOTER_LENGTH) {
      throw corrupt(
          what
              + " with size "
              + size
              + " lies outside the "
              + bytes.length
              + "-byte file (truncated?)");
    }
    int start = (int) offset;
    int end = (int) (offset + size);
    int type = bytes[end] & 0xff;
    int storedCrc = ByteBuffer.wrap(bytes, end + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    int actualCrc = MaskedCrc32c.value(bytes, start, (int) size + 1);
    if (MaskedCrc32c.unmask(storedCrc) != actualCrc) {
      throw corrupt(
          String.format(
              "checksum mismatch in %s: stored 0x%08x, computed 0x%08x",
              what, MaskedCrc32c.unmask(storedCrc), actualCrc));
    }
    if (type == SNAPPY_COMPRESSION) {
      throw corrupt(
          what
              + " is Snappy-compressed, which this reader does not support. TensorFlow writes"
              + " index files uncompressed; re-save the checkpoint with TensorFlow to get one.");
    }
    if (type != NO_COMPRESSION) {
      throw corrupt(what + " has unknown compression type " + type);
    }

    int restartCount = ByteBuffer.wrap(bytes, end - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    long restartsStart = (long) end - 4 - 4L * restartCount;
    if (restartCount < 0 || restartsStart < start) {
      throw corrupt(what + " has an invalid restart count " + restartCount);
    }
    Cursor cursor = new Cursor(start, (int) restartsStart);
    byte[] previousKey = new byte[0];
    while (cursor.hasRemaining()) {
      int shared = cursor.readVarint32();
      int unshared = cursor.readVarint32();
      int valueLength = cursor.readVarint32();
      if (shared > previousKey.length) {
        throw corrupt(what + " has an entry sharing " + shared + " bytes of a shorter key");
      }
      byte[] key = new byte[shared + unshared];
      System.arraycopy(previousKey, 0, key, 0, shared);
      cursor.readBytes(key, shared, unshared);
      byte[] value = new byte[valueLength];
      cursor.readBytes(value, 0, valueLength);
      out.put(new String(key, StandardCharsets.UTF_8), value);
      previousKey = key;
    }
  }

  private CheckpointFormatException corrupt(String detail) {
    return new CheckpointFormatException(
        "Corrupt checkpoint index file " + file + ": " + detail + ".");
  }

  /** Read position inside {@code bytes[position, limit)}, with bounds checks. */
  private final class Cursor {
    private final byte[] data;
    private int position;
    private final int limit;

    Cursor(int position, int limit) {
      this(bytes, position, limit);
    }

    Cursor(byte[] data, int position, int limit) {
      this.data = data;
      this.position = position;
      this.limit = limit;
    }

    boolean hasRemaining() {
      return position < limit;
    }

    long readVarint64() throws CheckpointFormatException {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (position >= limit) {
          throw corrupt("varint runs past the end of its block");
        }
        int b = data[position++] & 0xff;
        result |= (long) (b & 0x7f) << shift;
        if (b < 0x80) {
          return result;
        }
      }
      throw corrupt("varint longer than 10 bytes");
    }

    int readVarint32() throws CheckpointFormatException {
      long value = readVarint64();
      if (value > Integer.MAX_VALUE) {
        throw corrupt("length " + value + " does not fit in a block");
      }
      return (int) value;
    }

    void readBytes(byte[] target, int targetOffset, int length) throws CheckpointFormatException {
      if (length > limit - position) {
        throw corrupt("entry of " + length + " bytes runs past the end of its block");
      }
      System.arraycopy(data, position, target, targetOffset, length);
      position += length;
    }
  }
}
