package io.rnnkit.train;

import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Copies between Java arrays and tensors. Callers close the tensors they get. */
public final class Tensors {
  private Tensors() {}

  public static TInt32 ints(int[][] values) {
    return TInt32.tensorOf(StdArrays.ndCopyOf(values));
  }

  public static TInt32 ints(int[] values) {
    return TInt32.vectorOf(values);
  }

  public static TFloat32 floats(float[][] values) {
    return TFloat32.tensorOf(StdArrays.ndCopyOf(values));
  }

  public static float[][] floats2d(TFloat32 tensor) {
    return StdArrays.array2dCopyOf(tensor);
  }
}
