package io.rnnkit.task;

import io.rnnkit.train.ModelSession;
import io.rnnkit.train.Tensors;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** Reads and overwrites variables of a running model session in tests. */
final class Variables {
  private Variables() {}

  /** Returns every model variable as a flat float array, and {@code global_step}, by name. */
  static Map<String, float[]> snapshot(ModelSession model) {
    Map<String, float[]> values = new TreeMap<>();
    Session session = model.session();
    for (Map.Entry<String, Variable<TFloat32>> entry : model.store().variables().entrySet()) {
      try (Result result = session.runner().fetch(entry.getValue()).run()) {
        TFloat32 tensor = (TFloat32) result.get(0);
        float[] flat = new float[(int) tensor.size()];
        tensor.copyTo(
            org.tensorflow.ndarray.NdArrays.wrap(
                tensor.shape(), org.tensorflow.ndarray.buffer.DataBuffers.of(flat, false, false)));
        values.put(entry.getKey(), flat);
      }
    }
    try (Result result = session.runner().fetch(model.optimizer().globalStep()).run()) {
      values.put("global_step", new float[] {((TInt64) result.get(0)).getLong()});
    }
    return values;
  }

  /** Replaces row {@code row} of the 2-D variable {@code name} with NaN. */
  static void poisonRow(ModelSession model, String name, int row) {
    Variable<TFloat32> variable = model.store().variables().get(name);
    float[][] values;
    try (Result result = model.session().runner().fetch(variable).run()) {
      values = Tensors.floats2d((TFloat32) result.get(0));
    }
    java.util.Arrays.fill(values[row], Float.NaN);
    Ops tf = model.ops();
    try (TFloat32 tensor = TFloat32.tensorOf(StdArrays.ndCopyOf(values))) {
      var assign = tf.assign(variable, tf.constantOf(tensor));
      model.session().runner().addTarget(assign).run();
    }
  }
}
