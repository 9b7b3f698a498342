package io.rnnkit.checkpoint;

import java.util.Arrays;
import org.tensorflow.proto.DataType;

/**
 * Metadata of one tensor in a tensor bundle, from its {@code BundleEntryProto}.
 *
 * @param key the checkpoint key, for example {@code rnn/basic_lstm_cell/kernel} or {@code
 *     layer_with_weights-0/cell/kernel/.ATTRIBUTES/VARIABLE_VALUE}
 * @param dtype the element type
 * @param shape the dimensions, outermost first, empty for a scalar. The accessor returns a copy.
 * @param shardId index of the {@code .data-NNNNN-of-NNNNN} file that stores the bytes
 * @param offset byte offset of the tensor in its shard
 * @param size stored size in bytes, including the length prefixes of string tensors
 * @param sliced true if the tensor was saved in slices (a partitioned variable), which the reader
 *     cannot assemble
 */
public record EntryInfo(
    String key, DataType dtype, long[] shape, int shardId, long offset, long size, boolean sliced) {

  public EntryInfo {
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Returns the product of the dimensions, 1 for a scalar. */
  public long numElements() {
    long count = 1;
    for (long dim : shape) {
      count *= dim;
    }
    return count;
  }

  /** Returns the shape as {@code [d0, d1, ...]}. */
  public String shapeString() {
    return Arrays.toString(shape);
  }
}
