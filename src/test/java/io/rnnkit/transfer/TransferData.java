package io.rnnkit.transfer;

import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** Helpers that read variables from a session. */
final class TransferData {
  private TransferData() {}

  /** Returns the float values of the variable (or any float op) named {@code name}. */
  static float[] read(Session session, String name) {
    try (Tensor tensor = session.runner().fetch(name).run().get(0)) {
      TFloat32 values = (TFloat32) tensor;
      float[] flat = new float[(int) values.size()];
      values.asRawTensor().data().asFloats().read(flat);
      return flat;
    }
  }

  /** Returns the int64 scalar variable named {@code name}. */
  static long readLong(Session session, String name) {
    try (Tensor tensor = session.runner().fetch(name).run().get(0)) {
      return ((TInt64) tensor).getLong();
    }
  }
}
