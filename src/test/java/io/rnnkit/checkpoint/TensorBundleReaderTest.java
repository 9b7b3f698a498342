package io.rnnkit.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TString;

class TensorBundleReaderTest {
  private static final String KERNEL_KEY =
      "layer_with_weights-0/cell/kernel/.ATTRIBUTES/VARIABLE_VALUE";

  /** Floats with special bit patterns: -0, a NaN with payload, infinity, subnormal, extremes. */
  private static final float[][] FLOATS = {
    {1.5f, -0.0f, Float.intBitsToFloat(0x7fc00001)},
    {Float.NEGATIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE}
  };

  private static final double[] DOUBLES = {Math.PI, -1e-310, Double.MAX_VALUE, 0.1};
  private static final int[] INTS = {Integer.MIN_VALUE, -1, 0, 7, Integer.MAX_VALUE};
  private static final long[][] LONGS = {{Long.MIN_VALUE, 1L << 40}, {-3L, Long.MAX_VALUE}};
  private static final boolean[] BOOLS = {true, false, false, true};
  private static final byte[][] STRINGS = {
    "kernel".getBytes(StandardCharsets.UTF_8),
    new byte[0],
    {(byte) 0xff, 0x00, (byte) 0x80, 0x7f},
    "x".repeat(300).getBytes(StandardCharsets.UTF_8)
  };

  @TempDir Path dir;

  private Path writeAllDtypes() {
    Path prefix = dir.resolve("model.ckpt-1");
    new BundleWriter()
        .add(KERNEL_KEY, tf -> tf.constant(FLOATS))
        .add("doubles", tf -> tf.constant(DOUBLES))
        .add("ints", tf -> tf.constant(INTS))
        .add("optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE", tf -> tf.constant(LONGS))
        .add("bools", tf -> tf.constant(BOOLS))
        .add("bytes", tf -> tf.constant(new byte[] {3, (byte) 250}))
        .add("scalar", tf -> tf.constant(42.25f))
        .add(
            "strings",
            tf -> {
              try (TString t = TString.tensorOfBytes(NdArrays.vectorOfObjects(STRINGS))) {
                return tf.constantOf(t);
              }
            })
        .save(prefix);
    return prefix;
  }

  @Test
  void readsEveryDtypeBitForBit() throws IOException {
    Path prefix = writeAllDtypes();
    try (TensorBundleReader reader = TensorBundleReader.open(prefix)) {
      float[] floats = reader.readFloats(KERNEL_KEY);
      float[] expectedFloats = {
        FLOATS[0][0], FLOATS[0][1], FLOATS[0][2], FLOATS[1][0], FLOATS[1][1], FLOATS[1][2]
      };
      assertEquals(expectedFloats.length, floats.length, "float element count");
      for (int i = 0; i < floats.length; i++) {
        assertEquals(
            Float.floatToRawIntBits(expectedFloats[i]),
            Float.floatToRawIntBits(floats[i]),
            "bits of float element " + i);
      }
      double[] doubles = reader.readDoubles("doubles");
      for (int i = 0; i < DOUBLES.length; i++) {
        assertEquals(
            Double.doubleToRawLongBits(DOUBLES[i]),
            Double.doubleToRawLongBits(doubles[i]),
            "bits of double element " + i);
      }
      assertArrayEquals(INTS, reader.readInts("ints"), "int32 values");
      assertArrayEquals(
          new long[] {Long.MIN_VALUE, 1L << 40, -3L, Long.MAX_VALUE},
          reader.readLongs("optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE"),
          "int64 values, row-major");
      assertArrayEquals(BOOLS, reader.readBooleans("bools"), "bool values");
      assertArrayEquals(new byte[] {3, (byte) 250}, reader.readRaw("bytes"), "uint8 raw bytes");
      assertArrayEquals(new float[] {42.25f}, reader.readFloats("scalar"), "scalar float");

      List<byte[]> strings = reader.readStrings("strings");
      assertEquals(STRINGS.length, strings.size(), "string element count");
      for (int i = 0; i < STRINGS.length; i++) {
        assertArrayEquals(STRINGS[i], strings.get(i), "bytes of string element " + i);
      }
    }
  }

  @Test
  void entryReportsDtypeAndShape() throws IOException {
    Path prefix = writeAllDtypes();
    try (TensorBundleReader reader = TensorBundleReader.open(prefix)) {
      List<String> keys = reader.keys();
      assertEquals(8, keys.size(), "key count without the header entry: " + keys);
      List<String> sorted = keys.stream().sorted().toList();
      assertEquals(sorted, keys, "keys in index order, which is sorted");
      assertFalse(keys.contains(""), "header entry is not listed");

      EntryInfo kernel = reader.entry(KERNEL_KEY).orElseThrow();
      assertEquals(DataType.DT_FLOAT, kernel.dtype(), "kernel dtype");
      assertArrayEquals(new long[] {2, 3}, kernel.shape(), "kernel shape");
      assertEquals(6, kernel.numElements(), "kernel element count");
      assertEquals(24, kernel.size(), "kernel stored bytes");
      assertFalse(kernel.sliced(), "kernel is not sliced");
      assertEquals(0, kernel.shardId(), "kernel shard");

      EntryInfo scalar = reader.entry("scalar").orElseThrow();
      assertArrayEquals(new long[0], scalar.shape(), "scalar shape");
      assertEquals(DataType.DT_STRING, reader.entry("strings").orElseThrow().dtype(), "dtype");
      assertTrue(reader.entry("no/such/key").isEmpty(), "absent key gives empty");
      assertEquals(1, reader.numShards(), "shard count");
    }
  }

  @Test
  void readsHalfAndBfloat16AsFloat() throws IOException {
    Path prefix = dir.resolve("half");
    float[] values = {1.0f, -2.5f, 0.0f, 65504.0f, 5.9604645e-8f};
    new BundleWriter()
        .add(
            "half",
            tf -> {
              try (TFloat16 t = TFloat16.vectorOf(values)) {
                return tf.constantOf(t);
              }
            })
        .add(
            "bfloat16",
            tf -> {
              try (TBfloat16 t = TBfloat16.vectorOf(1.0f, -2.5f, 0.0f, 3.0e38f)) {
                return tf.constantOf(t);
              }
            })
        .save(prefix);
    try (TensorBundleReader reader = TensorBundleReader.open(prefix)) {
      assertArrayEquals(values, reader.readFloats("half"), "half values, exactly representable");
      float[] bfloat = reader.readFloats("bfloat16");
      assertArrayEquals(
          new float[] {1.0f, -2.5f, 0.0f}, Arrays.copyOf(bfloat, 3), "exact bfloat16 values");
      assertEquals(3.0e38f, bfloat[3], 3.0e38f / 128, "bfloat16 keeps 8 significant bits");
    }
  }

  @Test
  void opensSavedModelDirectory() throws IOException {
    Path savedModel = dir.resolve("saved_model");
    new BundleWriter()
        .add(
            "trainable_variables/0/.ATTRIBUTES/VARIABLE_VALUE", tf -> tf.constant(new float[] {7f}))
        .save(savedModel.resolve("variables").resolve("variables"));
    try (TensorBundleReader reader = TensorBundleReader.open(savedModel)) {
      assertEquals(
          savedModel.resolve("variables").resolve("variables"),
          reader.prefix(),
          "prefix of a SavedModel");
      assertArrayEquals(
          new float[] {7f},
          reader.readFloats("trainable_variables/0/.ATTRIBUTES/VARIABLE_VALUE"),
          "value read through the SavedModel directory");
    }
  }

  @Test
  void readsTensorsFromSeveralShards() throws IOException {
    Path prefix = dir.resolve("sharded");
    BundleWriter first =
        new BundleWriter()
            .add("a/kernel", tf -> tf.constant(new float[][] {{1f, 2f}, {3f, 4f}}))
            .add("a/bias", tf -> tf.constant(new float[] {5f, 6f}));
    BundleWriter second =
        new BundleWriter()
            .add("b/kernel", tf -> tf.constant(new float[] {-1f, -2f, -3f}))
            .add("global_step", tf -> tf.constant(99L));
    BundleWriter.saveSharded(prefix, List.of(first, second));

    assertTrue(
        Files.exists(dir.resolve("sharded.data-00001-of-00002")), "second data file written");
    try (TensorBundleReader reader = TensorBundleReader.open(prefix)) {
      assertEquals(2, reader.numShards(), "shard count");
      assertEquals(
          List.of("a/bias", "a/kernel", "b/kernel", "global_step"), reader.keys(), "merged keys");
      int shardA = reader.entry("a/kernel").orElseThrow().shardId();
      int shardB = reader.entry("b/kernel").orElseThrow().shardId();
      assertTrue(shardA != shardB, "tensors of the two parts lie in different shards");
      assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, reader.readFloats("a/kernel"), "a/kernel");
      assertArrayEquals(new float[] {5f, 6f}, reader.readFloats("a/bias"), "a/bias");
      assertArrayEquals(new float[] {-1f, -2f, -3f}, reader.readFloats("b/kernel"), "b/kernel");
      assertArrayEquals(new long[] {99L}, reader.readLongs("global_step"), "global_step");
    }
  }

  @Test
  void flippedDataByteFailsChecksum() throws IOException {
    Path prefix = dir.resolve("flip");
    new BundleWriter()
        .add("first", tf -> tf.constant(new float[] {1f, 2f}))
        .add(KERNEL_KEY, tf -> tf.constant(new float[] {3f, 4f, 5f}))
        .save(prefix);
    Path data = dir.resolve("flip.data-00000-of-00001");
    long offset;
    try (TensorBundleReader reader = TensorBundleReader.open(prefix)) {
      offset = reader.entry(KERNEL_KEY).orElseThrow().offset();
    }
    byte[] bytes = Files.readAllBytes(data);
    bytes[(int) offset + 5] ^= 0x01;
    Files.write(data, bytes);

    try (TensorBundleReader reader = TensorBundleReader.open(prefix)) {
      assertArrayEquals(new float[] {1f, 2f}, reader.readFloats("first"), "intact tensor reads");
      CheckpointFormatException error =
          assertThrows(CheckpointFormatException.class, () -> reader.readFloats(KERNEL_KEY));
      assertTrue(error.getMessage().contains("Checksum mismatch"), error.getMessage());
      assertTrue(error.getMessage().contains(KERNEL_KEY), "names the key: " + error.getMessage());
      assertTrue(error.getMessage().contains(data.toString()), "names file: " + error.getMessage());
    }
  }

  @Test
  void flippedStringByteFailsChecksum() throws IOException {
    Path prefix = writeAllDtypes();
    Path data = dir.resolve("model.ckpt-1.data-00000-of-00001");
    EntryInfo entry;
    try (TensorBundleReader reader = TensorBundleReader.open(prefix)) {
      entry = reader.entry("strings").orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(data);
    // The last stored byte belongs to the 300-byte string.
    bytes[(int) (entry.offset() + entry.size() - 1)] ^= 0x20;
    Files.write(data, bytes);
    try (TensorBundleReader reader = TensorBundleReader.open(prefix)) {
      CheckpointFormatException error =
          assertThrows(CheckpointFormatException.class, () -> reader.readStrings("strings"));
      assertTrue(error.getMessage().contains("'strings'"), "names the key: " + error.getMessage());
      assertTrue(error.getMessage().contains("Checksum mismatch"), error.getMessage());
    }
  }

  @Test
  void truncatedIndexIsRejected() throws IOException {
    Path prefix = writeAllDtypes();
    Path index = dir.resolve("model.ckpt-1.index");
    byte[] bytes = Files.readAllBytes(index);
    Files.write(index, Arrays.copyOf(bytes, bytes.length - 10));
    CheckpointFormatException error =
        assertThrows(CheckpointFormatException.class, () -> TensorBundleReader.open(prefix));
    assertTrue(error.getMessage().contains(index.toString()), "names file: " + error.getMessage());
    assertTrue(error.getMessage().contains("magic"), "reports the magic: " + error.getMessage());

    Files.write(index, Arrays.copyOf(bytes, 20));
    CheckpointFormatException tiny =
        assertThrows(CheckpointFormatException.class, () -> TensorBundleReader.open(prefix));
    assertTrue(tiny.getMessage().contains("truncated"), tiny.getMessage());
  }

  @Test
  void corruptIndexBlockFailsChecksum() throws IOException {
    Path prefix = writeAllDtypes();
    Path index = dir.resolve("model.ckpt-1.index");
    byte[] bytes = Files.readAllBytes(index);
    // Byte 20 lies in the first data block, inside the header or first entry.
    bytes[20] ^= 0x40;
    Files.write(index, bytes);
    CheckpointFormatException error =
        assertThrows(CheckpointFormatException.class, () -> TensorBundleReader.open(prefix));
    assertTrue(error.getMessage().contains("checksum mismatch"), error.getMessage());
    assertTrue(error.getMessage().contains(index.toString()), "names file: " + error.getMessage());
  }

  @Test
  void snappyBlockIsRejected() throws IOException {
    Path prefix = writeAllDtypes();
    Path index = dir.resolve("model.ckpt-1.index");
    byte[] bytes = Files.readAllBytes(index);
    // Find the index block from the footer and mark it Snappy-compressed, with a valid checksum.
    ByteBuffer footer = ByteBuffer.wrap(bytes, bytes.length - 48, 40);
    readVarint(footer);
    readVarint(footer);
    int indexOffset = (int) readVarint(footer);
    int indexSize = (int) readVarint(footer);
    bytes[indexOffset + indexSize] = 1;
    int crc = MaskedCrc32c.mask(MaskedCrc32c.value(bytes, indexOffset, indexSize + 1));
    ByteBuffer.wrap(bytes, indexOffset + indexSize + 1, 4)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt(crc);
    Files.write(index, bytes);

    CheckpointFormatException error =
        assertThrows(CheckpointFormatException.class, () -> TensorBundleReader.open(prefix));
    assertTrue(error.getMessage().contains("Snappy"), error.getMessage());
  }

  private static long readVarint(ByteBuffer buffer) {
    long value = 0;
    for (int shift = 0; ; shift += 7) {
      int b = buffer.get() & 0xff;
      value |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        return value;
      }
    }
  }

  @Test
  void missingIndexNamesTheFile() {
    Path prefix = dir.resolve("absent.ckpt");
    CheckpointFormatException error =
        assertThrows(CheckpointFormatException.class, () -> TensorBundleReader.open(prefix));
    assertTrue(
        error.getMessage().contains(dir.resolve("absent.ckpt.index").toString()),
        "names the index file: " + error.getMessage());
  }

  @Test
  void missingShardNamesTheFile() throws IOException {
    Path prefix = writeAllDtypes();
    Path data = dir.resolve("model.ckpt-1.data-00000-of-00001");
    Files.delete(data);
    try (TensorBundleReader reader = TensorBundleReader.open(prefix)) {
      assertEquals(8, reader.keys().size(), "index still lists the keys");
      CheckpointFormatException error =
          assertThrows(CheckpointFormatException.class, () -> reader.readFloats(KERNEL_KEY));
      assertTrue(error.getMessage().contains(data.toString()), "names file: " + error.getMessage());
      assertTrue(error.getMessage().contains("not found"), error.getMessage());
    }
  }

  @Test
  void truncatedShardNamesTheKey() throws IOException {
    Path prefix = writeAllDtypes();
    Path data = dir.resolve("model.ckpt-1.data-00000-of-00001");
    byte[] bytes = Files.readAllBytes(data);
    Files.write(data, Arrays.copyOf(bytes, 4));
    try (TensorBundleReader reader = TensorBundleReader.open(prefix)) {
      CheckpointFormatException error =
          assertThrows(CheckpointFormatException.class, () -> reader.readDoubles("doubles"));
      assertTrue(error.getMessage().contains("'doubles'"), "names the key: " + error.getMessage());
      assertTrue(error.getMessage().contains("only 4 bytes"), error.getMessage());
    }
  }

  @Test
  void wrongDtypeIsRejected() throws IOException {
    Path prefix = writeAllDtypes();
    try (TensorBundleReader reader = TensorBundleReader.open(prefix)) {
      CheckpointFormatException uint8 =
          assertThrows(CheckpointFormatException.class, () -> reader.readFloats("bytes"));
      assertTrue(uint8.getMessage().contains("DT_UINT8"), uint8.getMessage());
      assertTrue(uint8.getMessage().contains("'bytes'"), "names the key: " + uint8.getMessage());
      CheckpointFormatException strings =
          assertThrows(CheckpointFormatException.class, () -> reader.readInts("strings"));
      assertTrue(strings.getMessage().contains("DT_STRING"), strings.getMessage());
      CheckpointFormatException missing =
          assertThrows(CheckpointFormatException.class, () -> reader.readFloats("nope"));
      assertTrue(missing.getMessage().contains("'nope' not found"), missing.getMessage());
    }
  }

  @Test
  void slicedTensorIsRejected() throws IOException {
    Path prefix = dir.resolve("sliced");
    new BundleWriter()
        .addSlice("embedding", "4 0,2", tf -> tf.constant(new float[] {1f, 2f}))
        .add("dense/bias", tf -> tf.constant(new float[] {3f}))
        .save(prefix);
    try (TensorBundleReader reader = TensorBundleReader.open(prefix)) {
      assertEquals(List.of("dense/bias", "embedding"), reader.keys(), "slice entries are hidden");
      EntryInfo entry = reader.entry("embedding").orElseThrow();
      assertTrue(entry.sliced(), "entry is marked sliced");
      assertArrayEquals(new long[] {4}, entry.shape(), "full shape of the sliced tensor");
      CheckpointFormatException error =
          assertThrows(CheckpointFormatException.class, () -> reader.readFloats("embedding"));
      assertTrue(error.getMessage().contains("slices"), error.getMessage());
      assertArrayEquals(new float[] {3f}, reader.readFloats("dense/bias"), "unsliced tensor");
    }
  }

  @Test
  void namedTensorCarriesShape() throws IOException {
    Path prefix = writeAllDtypes();
    try (TensorBundleReader reader = TensorBundleReader.open(prefix)) {
      NamedTensor tensor = reader.readFloatTensor(KERNEL_KEY);
      assertEquals(KERNEL_KEY, tensor.name(), "name");
      assertArrayEquals(new long[] {2, 3}, tensor.shape(), "shape");
      assertEquals(6, tensor.values().length, "value count");
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> new NamedTensor("bad", Shape.of(2, 2).asArray(), new float[3]),
        "shape and value count must agree");
  }
}
