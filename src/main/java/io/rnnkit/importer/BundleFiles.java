package io.rnnkit.importer;

import io.rnnkit.checkpoint.NamedTensor;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/** Writes and reads float tensors of TensorFlow tensor bundles through TensorFlow's own ops. */
final class BundleFiles {
  private BundleFiles() {}

  /** Writes {@code tensors} under their names to the bundle at {@code prefix} with SaveV2. */
  static void write(String prefix, List<NamedTensor> tensors) {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      List<Operand<?>> values = new ArrayList<>();
      String[] names = new String[tensors.size()];
      String[] slices = new String[tensors.size()];
      for (int i = 0; i < tensors.size(); i++) {
        NamedTensor tensor = tensors.get(i);
        names[i] = tensor.name();
        slices[i] = "";
        values.add(
            tf.constant(Shape.of(tensor.shape()), DataBuffers.of(tensor.values(), true, false)));
      }
      try (TString nameTensor = TString.tensorOf(NdArrays.vectorOfObjects(names));
          TString sliceTensor = TString.tensorOf(NdArrays.vectorOfObjects(slices))) {
        session
            .runner()
            .addTarget(
                tf.train.save(
                    tf.constant(prefix),
                    tf.constantOf(nameTensor),
                    tf.constantOf(sliceTensor),
                    values))
            .run()
            .close();
      }
    }
  }

  /** Returns the elements of a float tensor in row-major order. */
  static float[] values(TFloat32 tensor) {
    FloatDataBuffer buffer = DataBuffers.ofFloats(tensor.size());
    tensor.copyTo(buffer);
    float[] values = new float[(int) tensor.size()];
    buffer.read(values);
    return values;
  }
}
