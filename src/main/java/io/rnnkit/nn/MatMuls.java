package io.rnnkit.nn;

import io.rnnkit.config.MatmulPrecision;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Matrix products of float32 operands in a chosen {@link MatmulPrecision}.
 *
 * <p>With {@link MatmulPrecision#BFLOAT16} both operands are cast to bfloat16, multiplied by a
 * bfloat16 {@code MatMul} and the product is cast back to float32, so callers see float32 in and
 * out. The gradient of {@code Cast} casts the incoming gradient back, so the gradient of a float32
 * variable stays float32. Each call casts its operands again: a recurrent kernel is cast once per
 * time step, and the per-step gradients of the variable are summed in float32, not in bfloat16.
 */
final class MatMuls {
  private MatMuls() {}

  /** Returns {@code a b}. */
  static Operand<TFloat32> matMul(
      Ops tf, Operand<TFloat32> a, Operand<TFloat32> b, MatmulPrecision precision) {
    return matMul(tf, a, b, false, precision);
  }

  /** Returns {@code a b^T}. */
  static Operand<TFloat32> matMulTransposeB(
      Ops tf, Operand<TFloat32> a, Operand<TFloat32> b, MatmulPrecision precision) {
    return matMul(tf, a, b, true, precision);
  }

  /**
   * Returns the recurrent product {@code h weight} of one time step, {@code h [B, H]}, {@code
   * weight [H, N]}.
   *
   * <p>With {@code transposed}, it is computed as {@code (weight^T h^T)^T}: the small activations
   * are transposed, the weight is not. The product is the same, but the gradients TensorFlow
   * derives from it are faster on CPUs. The plain form's gradient with respect to {@code h} is a
   * {@code MatMul} with {@code transpose_b} on the weight ({@code [B, N] x [H, N]^T}), which for a
   * step's shapes with small {@code B} ran 4 to 5 times slower than the same product on a
   * transposed copy of the weight. The transposed form's gradients, {@code weight dz^T} and {@code
   * h^T dz}, run at the forward product's speed. The two extra transposes cost more than they save
   * when no gradient is taken, so inference graphs use the plain form. Bfloat16 products measured
   * no faster in the transposed form, so they always use the plain one.
   */
  static Operand<TFloat32> recurrent(
      Ops tf,
      Operand<TFloat32> h,
      Operand<TFloat32> weight,
      MatmulPrecision precision,
      boolean transposed) {
    if (!transposed || check(precision) != MatmulPrecision.FLOAT32) {
      return matMul(tf, h, weight, false, false, precision);
    }
    Operand<TInt32> swap = tf.constant(new int[] {1, 0});
    Operand<TFloat32> product =
        matMul(tf, weight, tf.linalg.transpose(h, swap), true, false, precision);
    return tf.linalg.transpose(product, swap);
  }

  private static Operand<TFloat32> matMul(
      Ops tf, Operand<TFloat32> a, Operand<TFloat32> b, boolean transposeB, MatmulPrecision p) {
    return matMul(tf, a, b, false, transposeB, p);
  }

  private static Operand<TFloat32> matMul(
      Ops tf,
      Operand<TFloat32> a,
      Operand<TFloat32> b,
      boolean transposeA,
      boolean transposeB,
      MatmulPrecision p) {
    MatMul.Options[] options = {MatMul.transposeA(transposeA), MatMul.transposeB(transposeB)};
    if (check(p) == MatmulPrecision.FLOAT32) {
      return tf.linalg.matMul(a, b, options);
    }
    Operand<TBfloat16> product =
        tf.linalg.matMul(
            tf.dtypes.cast(a, TBfloat16.class), tf.dtypes.cast(b, TBfloat16.class), options);
    return tf.dtypes.cast(product, TFloat32.class);
  }

  /** Returns {@code precision} if it is FLOAT32 or BFLOAT16, and throws otherwise. */
  static MatmulPrecision check(MatmulPrecision precision) {
    if (precision != MatmulPrecision.FLOAT32 && precision != MatmulPrecision.BFLOAT16) {
      throw new IllegalArgumentException(
          "matmulPrecision must be FLOAT32 or BFLOAT16, got " + precision);
    }
    return precision;
  }
}
