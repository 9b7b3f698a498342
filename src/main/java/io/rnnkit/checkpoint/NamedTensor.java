package io.rnnkit.checkpoint;

import java.util.Arrays;

/**
 * A float tensor read from a checkpoint, with its values in row-major order.
 *
 * @param name the checkpoint key or variable name
 * @param shape the dimensions, outermost first. The accessor returns a copy.
 * @param values the elements, row-major. The accessor returns the stored array without copying.
 */
public record NamedTensor(String name, long[] shape, float[] values) {

  public NamedTensor {
    shape = shape.clone();
    long count = 1;
    for (long dim : shape) {
      count *= dim;
    }
    if (count != values.length) {
      throw new IllegalArgumentException(
          "Tensor "
              + name
              + " has shape "
              + Arrays.toString(shape)
              + " ("
              + count
              + " elements) but "
              + values.length
              + " values");
    }
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }
}
