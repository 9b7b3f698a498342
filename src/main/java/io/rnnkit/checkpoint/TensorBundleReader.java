package io.rnnkit.checkpoint;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.BundleHeaderProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Reads a TensorFlow tensor bundle, the V2 checkpoint format, without the TensorFlow runtime.
 *
 * <p>A bundle with prefix {@code P} is an index file {@code P.index} and one or more data files
 * {@code P.data-00000-of-00002}, {@code P.data-00001-of-00002}, ... The index is a LevelDB-format
 * table (see {@link SstableReader}) whose entry with the empty key is a {@code BundleHeaderProto}
 * (shard count, byte order, format version) and whose other entries are {@code BundleEntryProto}s
 * (dtype, shape, shard, byte offset, byte size and masked CRC-32C of each tensor). Numeric tensors
 * are stored as their raw elements in the header's byte order. A string tensor is stored as a
 * varint64 length per element, then the masked CRC-32C of those lengths (each length checksummed as
 * a uint32, or uint64 above 2^32 - 1), then the bytes of all elements back to back.
 *
 * <p>Every read verifies the tensor's stored checksum. Python's {@code tf.train.Saver}, {@code
 * tf.train.Checkpoint}, Keras {@code save_weights} and SavedModel {@code variables/variables} all
 * write this format. Instances are not thread-safe.
 */
public final class TensorBundleReader implements AutoCloseable {
  /** Key of the header entry, which TensorFlow writes first in every index file. */
  private static final String HEADER_KEY = "";

  /**
   * The bundle format version this reader implements, as TensorFlow's {@code kTensorBundleVersion}.
   */
  private static final int SUPPORTED_VERSION = 1;

  private final Path prefix;
  private final Path indexFile;
  private final int numShards;
  private final ByteOrder byteOrder;
  private final Map<String, BundleEntryProto> entries;
  private final Map<Integer, FileChannel> openShards = new HashMap<>();

  private TensorBundleReader(
      Path prefix,
      Path indexFile,
      int numShards,
      ByteOrder byteOrder,
      Map<String, BundleEntryProto> entries) {
    this.prefix = prefix;
    this.indexFile = indexFile;
    this.numShards = numShards;
    this.byteOrder = byteOrder;
    this.entries = entries;
  }

  /**
   * Opens a bundle and reads its index.
   *
   * @param path a checkpoint prefix such as {@code train/model.ckpt-1000} (the path without {@code
   *     .index}), or a SavedModel directory, whose bundle is {@code variables/variables}
   * @throws CheckpointFormatException if the index file is missing, corrupt or of an unsupported
   *     version. Data files are opened on the first read from each.
   */
  public static TensorBundleReader open(Path path) throws IOException {
    Path prefix = resolvePrefix(path);
    Path indexFile = indexFile(prefix);
    Map<String, byte[]> table = SstableReader.readAll(indexFile);

    byte[] headerBytes = table.get(HEADER_KEY);
    if (headerBytes == null) {
      throw new CheckpointFormatException(
          "Corrupt checkpoint index file " + indexFile + ": the bundle header entry is missing.");
    }
    BundleHeaderProto header;
    try {
      header = BundleHeaderProto.parseFrom(headerBytes);
    } catch (InvalidProtocolBufferException e) {
      throw new CheckpointFormatException(
          "Corrupt checkpoint index file " + indexFile + ": cannot parse the bundle header.", e);
    }
    checkVersion(header, indexFile);
    if (header.getNumShards() < 1) {
      throw new CheckpointFormatException(
          "Corrupt checkpoint index file "
              + indexFile
              + ": the header declares "
              + header.getNumShards()
              + " data shards.");
    }
    // NOTE: big-endian bundles are read by switching the byte order. No test covers them because
    // TensorFlow only writes them on big-endian hosts.
    ByteOrder byteOrder =
        header.getEndianness() == BundleHeaderProto.Endianness.BIG
            ? ByteOrder.BIG_ENDIAN
            : ByteOrder.LITTLE_ENDIAN;

    Map<String, BundleEntryProto> entries = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> item : table.entrySet()) {
      String key = item.getKey();
      // Keys of individual slices of a partitioned variable are binary-encoded and start with a
      // zero byte. They are reachable only through the full tensor's entry.
      if (key.isEmpty() || key.charAt(0) == '\0') {
        continue;
      }
      try {
        entries.put(key, BundleEntryProto.parseFrom(item.getValue()));
      } catch (InvalidProtocolBufferException e) {
        throw new CheckpointFormatException(
            "Corrupt checkpoint index file "
                + indexFile
                + ": cannot parse the entry for key '"
                + key
                + "'.",
            e);
      }
    }
    return new TensorBundleReader(
        prefix, indexFile, header.getNumShards(), byteOrder, Collections.unmodifiableMap(entries));
  }

  /**
   * Resolves {@code path} to a bundle prefix. A folder may be a SavedModel ({@code
   * variables/variables}), an rnnkit checkpoint folder ({@code variables}) or an rnnkit model
   * folder ({@code checkpoint/variables}); any other path is taken as the prefix itself.
   */
  private static Path resolvePrefix(Path path) throws CheckpointFormatException {
    if (!Files.isDirectory(path)) {
      return path;
    }
    List<Path> candidates =
        List.of(
            path.resolve("variables").resolve("variables"),
            path.resolve("variables"),
            path.resolve("checkpoint").resolve("variables"));
    for (Path candidate : candidates) {
      if (Files.exists(indexFile(candidate))) {
        return candidate;
      }
    }
    throw new CheckpointFormatException(
        "No checkpoint found in directory "
            + path
            + ": expected a SavedModel (variables/variables.index), an rnnkit checkpoint folder"
            + " (variables.index) or an rnnkit model folder (checkpoint/variables.index). For a"
            + " TensorFlow checkpoint, pass its prefix such as "
            + path.resolve("model.ckpt-1000")
            + ".");
  }

  private static Path indexFile(Path prefix) {
    return prefix.resolveSibling(prefix.getFileName() + ".index");
  }

  private static void checkVersion(BundleHeaderProto header, Path indexFile)
      throws CheckpointFormatException {
    int minConsumer = header.getVersion().getMinConsumer();
    if (minConsumer > SUPPORTED_VERSION
        || header.getVersion().getBadConsumersList().contains(SUPPORTED_VERSION)) {
      throw new CheckpointFormatException(
          "Checkpoint index file "
              + indexFile
              + " needs bundle format version "
              + minConsumer
              + " or newer (producer version "
              + header.getVersion().getProducer()
              + "); this reader implements version "
              + SUPPORTED_VERSION
              + ".");
    }
  }

  /** Returns the prefix the bundle was opened with, without {@code .index}. */
  public Path prefix() {
    return prefix;
  }

  /** Returns the number of data files the header declares. */
  public int numShards() {
    return numShards;
  }

  /** Returns all tensor keys in the index's sorted order, without the header entry. */
  public List<String> keys() {
    return List.copyOf(entries.keySet());
  }

  /** Returns the dtype, shape and location of {@code key}, or empty if the bundle lacks it. */
  public Optional<EntryInfo> entry(String key) {
    BundleEntryProto proto = entries.get(key);
    if (proto == null) {
      return Optional.empty();
    }
    return Optional.of(
        new EntryInfo(
            key,
            proto.getDtype(),
            dims(proto.getShape()),
            proto.getShardId(),
            proto.getOffset(),
            proto.getSize(),
            proto.getSlicesCount() > 0));
  }

  private static long[] dims(TensorShapeProto shape) {
    long[] dims = new long[shape.getDimCount()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shape.getDim(i).getSize();
    }
    return dims;
  }

  /**
   * Reads a float tensor in row-major order. {@code DT_HALF} and {@code DT_BFLOAT16} tensors are
   * widened to float exactly.
   */
  public float[] readFloats(String key) throws IOException {
    BundleEntryProto entry = require(key);
    ByteBuffer data = ByteBuffer.wrap(readVerified(key, entry)).order(byteOrder);
    float[] values;
    switch (entry.getDtype()) {
      case DT_FLOAT -> {
        values = new float[data.remaining() / 4];
        data.asFloatBuffer().get(values);
      }
      case DT_HALF -> {
        values = new float[data.remaining() / 2];
        for (int i = 0; i < values.length; i++) {
          values[i] = HalfFloats.halfToFloat(data.getShort());
        }
      }
      case DT_BFLOAT16 -> {
        values = new float[data.remaining() / 2];
        for (int i = 0; i < values.length; i++) {
          values[i] = Float.intBitsToFloat((data.getShort() & 0xffff) << 16);
        }
      }
      default -> throw wrongDtype(key, entry, "readFloats", "DT_FLOAT, DT_HALF or DT_BFLOAT16");
    }
    return values;
  }

  /** Reads a float tensor with its key and shape, as {@link #readFloats} does. */
  public NamedTensor readFloatTensor(String key) throws IOException {
    float[] values = readFloats(key);
    return new NamedTensor(key, dims(require(key).getShape()), values);
  }

  /** Reads a {@code DT_DOUBLE} tensor in row-major order. */
  public double[] readDoubles(String key) throws IOException {
    BundleEntryProto entry = require(key);
    if (entry.getDtype() != DataType.DT_DOUBLE) {
      throw wrongDtype(key, entry, "readDoubles", "DT_DOUBLE");
    }
    ByteBuffer data = ByteBuffer.wrap(readVerified(key, entry)).order(byteOrder);
    double[] values = new double[data.remaining() / 8];
    data.asDoubleBuffer().get(values);
    return values;
  }

  /** Reads a {@code DT_INT32} tensor in row-major order. */
  public int[] readInts(String key) throws IOException {
    BundleEntryProto entry = require(key);
    if (entry.getDtype() != DataType.DT_INT32) {
      throw wrongDtype(key, entry, "readInts", "DT_INT32");
    }
    ByteBuffer data = ByteBuffer.wrap(readVerified(key, entry)).order(byteOrder);
    int[] values = new int[data.remaining() / 4];
    data.asIntBuffer().get(values);
    return values;
  }

  /** Reads a {@code DT_INT64} tensor in row-major order. */
  public long[] readLongs(String key) throws IOException {
    BundleEntryProto entry = require(key);
    if (entry.getDtype() != DataType.DT_INT64) {
      throw wrongDtype(key, entry, "readLongs", "DT_INT64");
    }
    ByteBuffer data = ByteBuffer.wrap(readVerified(key, entry)).order(byteOrder);
    long[] values = new long[data.remaining() / 8];
    data.asLongBuffer().get(values);
    return values;
  }

  /** Reads a {@code DT_BOOL} tensor in row-major order, where any non-zero byte is true. */
  public boolean[] readBooleans(String key) throws IOException {
    BundleEntryProto entry = require(key);
    if (entry.getDtype() != DataType.DT_BOOL) {
      throw wrongDtype(key, entry, "readBooleans", "DT_BOOL");
    }
    byte[] data = readVerified(key, entry);
    boolean[] values = new boolean[data.length];
    for (int i = 0; i < data.length; i++) {
      values[i] = data[i] != 0;
    }
    return values;
  }

  /** Reads a {@code DT_STRING} tensor: the bytes of each element in row-major order. */
  public List<byte[]> readStrings(String key) throws IOException {
    BundleEntryProto entry = require(key);
    if (entry.getDtype() != DataType.DT_STRING) {
      throw wrongDtype(key, entry, "readStrings", "DT_STRING");
    }
    return decodeStrings(key, entry, readStored(key, entry));
  }

  /**
   * Reads the stored bytes of a tensor after verifying its checksum. For numeric and bool dtypes
   * these are the elements in the bundle's byte order (little-endian unless written on a big-endian
   * host). For {@code DT_STRING} they are the varint lengths, length checksum and element bytes
   * described in the class documentation.
   */
  public byte[] readRaw(String key) throws IOException {
    BundleEntryProto entry = require(key);
    if (entry.getDtype() == DataType.DT_STRING) {
      byte[] stored = readStored(key, entry);
      decodeStrings(key, entry, stored);
      return stored;
    }
    return readVerified(key, entry);
  }

  @Override
  public void close() throws IOException {
    IOException failure = null;
    for (FileChannel channel : openShards.values()) {
      try {
        channel.close();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    openShards.clear();
    if (failure != null) {
      throw failure;
    }
  }

  private BundleEntryProto require(String key) throws CheckpointFormatException {
    BundleEntryProto entry = entries.get(key);
    if (entry == null) {
      throw new CheckpointFormatException(
          "Key '"
              + key
              + "' not found in checkpoint "
              + prefix
              + " ("
              + entries.size()
              + " keys; list them with rnnkit inspect-checkpoint).");
    }
    if (entry.getSlicesCount() > 0) {
      throw new CheckpointFormatException(
          "Tensor '"
              + key
              + "' in checkpoint "
              + prefix
              + " was saved in "
              + entry.getSlicesCount()
              + " slices (a partitioned variable), which this reader cannot assemble. Re-save it"
              + " unpartitioned in Python.");
    }
    return entry;
  }

  private CheckpointFormatException wrongDtype(
      String key, BundleEntryProto entry, String method, String supported) {
    return new CheckpointFormatException(
        "Tensor '"
            + key
            + "' in checkpoint "
            + prefix
            + " has unsupported dtype "
            + entry.getDtype()
            + " for "
            + method
            + ", which reads "
            + supported
            + ".");
  }

  /** Reads a fixed-size tensor's bytes, checking their size and CRC-32C against the entry. */
  private byte[] readVerified(String key, BundleEntryProto entry) throws IOException {
    int elementSize = DtypeSizes.bytesPerElement(entry.getDtype());
    if (elementSize <= 0) {
      throw new CheckpointFormatException(
          "Tensor '"
              + key
              + "' in checkpoint "
              + prefix
              + " has dtype "
              + entry.getDtype()
              + ", which this reader does not support.");
    }
    long expectedSize = elementSize * numElements(entry);
    if (entry.getSize() != expectedSize) {
      throw new CheckpointFormatException(
          "Corrupt entry for tensor '"
              + key
              + "' in "
              + indexFile
              + ": size "
              + entry.getSize()
              + " bytes, but shape "
              + java.util.Arrays.toString(dims(entry.getShape()))
              + " of "
              + entry.getDtype()
              + " needs "
              + expectedSize
              + ".");
    }
    byte[] data = readStored(key, entry);
    int actual = MaskedCrc32c.value(data, 0, data.length);
    checkCrc(key, entry, actual);
    return data;
  }

  private List<byte[]> decodeStrings(String key, BundleEntryProto entry, byte[] stored)
      throws CheckpointFormatException {
    long count = numElements(entry);
    if (stored.length == 0 && count == 0) {
      return List.of();
    }
    ByteBuffer data = ByteBuffer.wrap(stored).order(byteOrder);
    long[] lengths = new long[(int) count];
    CRC32C crc = new CRC32C();
    ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(byteOrder);
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = readVarint64(data, key);
      lengthBytes.clear();
      // TensorFlow checksums each length as a uint32 unless it does not fit.
      if (lengths[i] >= 0 && lengths[i] <= 0xffffffffL) {
        lengthBytes.putInt((int) lengths[i]);
      } else {
        lengthBytes.putLong(lengths[i]);
      }
      crc.update(lengthBytes.array(), 0, lengthBytes.position());
    }
    if (data.remaining() < 4) {
      throw corruptData(key, entry, "string lengths run past the stored size");
    }
    int storedLengthCrc = data.getInt();
    if (MaskedCrc32c.unmask(storedLengthCrc) != (int) crc.getValue()) {
      throw corruptData(
          key,
          entry,
          String.format(
              "checksum of the string lengths is 0x%08x, stored 0x%08x",
              (int) crc.getValue(), MaskedCrc32c.unmask(storedLengthCrc)));
    }
    crc.update(stored, data.position() - 4, 4);
    List<byte[]> values = new ArrayList<>(lengths.length);
    for (long length : lengths) {
      if (length < 0 || length > data.remaining()) {
        throw corruptData(key, entry, "a string of " + length + " bytes runs past the stored size");
      }
      byte[] value = new byte[(int) length];
      data.get(value);
      crc.update(value);
      values.add(value);
    }
    if (data.hasRemaining()) {
      throw corruptData(key, entry, data.remaining() + " bytes follow the last string");
    }
    checkCrc(key, entry, (int) crc.getValue());
    return values;
  }

  private long readVarint64(ByteBuffer data, String key) throws CheckpointFormatException {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!data.hasRemaining()) {
        throw corruptData(key, entries.get(key), "string lengths run past the stored size");
      }
      int b = data.get() & 0xff;
      result |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        return result;
      }
    }
    throw corruptData(key, entries.get(key), "a string length varint is longer than 10 bytes");
  }

  private void checkCrc(String key, BundleEntryProto entry, int actual)
      throws CheckpointFormatException {
    int expected = MaskedCrc32c.unmask(entry.getCrc32C());
    if (expected != actual) {
      throw new CheckpointFormatException(
          String.format(
              "Checksum mismatch for tensor '%s' in %s: stored CRC-32C 0x%08x, computed 0x%08x"
                  + " over %d bytes at offset %d. The data file is corrupt or was modified after"
                  + " saving.",
              key,
              shardFile(entry.getShardId()),
              expected,
              actual,
              entry.getSize(),
              entry.getOffset()));
    }
  }

  private CheckpointFormatException corruptData(String key, BundleEntryProto entry, String detail) {
    return new CheckpointFormatException(
        "Corrupt data for tensor '"
            + key
            + "' in "
            + shardFile(entry.getShardId())
            + ": "
            + detail
            + ".");
  }

  private static long numElements(BundleEntryProto entry) {
    long count = 1;
    for (TensorShapeProto.Dim dim : entry.getShape().getDimList()) {
      count *= dim.getSize();
    }
    return count;
  }

  /** Reads the entry's {@code size} bytes at its offset, without checking them. */
  private byte[] readStored(String key, BundleEntryProto entry) throws IOException {
    if (entry.getSize() > Integer.MAX_VALUE - 8) {
      throw new CheckpointFormatException(
          "Tensor '"
              + key
              + "' in checkpoint "
              + prefix
              + " is "
              + entry.getSize()
              + " bytes; this reader reads tensors of up to 2 GiB.");
    }
    FileChannel channel = shard(key, entry.getShardId());
    long end = entry.getOffset() + entry.getSize();
    if (entry.getOffset() < 0 || end > channel.size()) {
      throw new CheckpointFormatException(
          "Tensor '"
              + key
              + "' lies at bytes ["
              + entry.getOffset()
              + ", "
              + end
              + ") but data file "
              + shardFile(entry.getShardId())
              + " is only "
              + channel.size()
              + " bytes (truncated?).");
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) entry.getSize());
    long position = entry.getOffset();
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, position);
      if (read < 0) {
        throw new CheckpointFormatException(
            "Unexpected end of data file " + shardFile(entry.getShardId()) + " reading " + key);
      }
      position += read;
    }
    return buffer.array();
  }

  private FileChannel shard(String key, int shardId) throws IOException {
    if (shardId < 0 || shardId >= numShards) {
      throw new CheckpointFormatException(
          "Corrupt entry for tensor '"
              + key
              + "' in "
              + indexFile
              + ": shard id "
              + shardId
              + " is outside [0, "
              + numShards
              + ").");
    }
    FileChannel channel = openShards.get(shardId);
    if (channel == null) {
      Path file = shardFile(shardId);
      try {
        channel = FileChannel.open(file, StandardOpenOption.READ);
      } catch (NoSuchFileException e) {
        throw new CheckpointFormatException(
            "Data file "
                + file
                + " not found, needed for tensor '"
                + key
                + "'. Copy all "
                + numShards
                + " data files next to "
                + indexFile
                + ".",
            e);
      }
      openShards.put(shardId, channel);
    }
    return channel;
  }

  /** Returns the path of data file {@code shardId}, such as {@code P.data-00000-of-00001}. */
  public Path shardFile(int shardId) {
    return prefix.resolveSibling(
        String.format("%s.data-%05d-of-%05d", prefix.getFileName(), shardId, numShards));
  }
}
