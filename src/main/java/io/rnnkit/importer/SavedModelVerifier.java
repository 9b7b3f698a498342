package io.rnnkit.importer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * Feeds one random batch to a SavedModel's {@code serving_default} signature and to the rnnkit
 * rebuild of its layers, and returns the largest absolute difference between the two outputs.
 */
final class SavedModelVerifier {
  /** The signature that Keras exports for {@code model.save}. */
  static final String SIGNATURE = "serving_default";

  /** Number of rows in the random batch. */
  static final int BATCH = 16;

  /** Number of time steps fed where the signature leaves them unknown. */
  static final int DEFAULT_TIME_STEPS = 7;

  private SavedModelVerifier() {}

  /**
   * Compares the SavedModel in {@code savedModel} with the layer stack restored from {@code
   * checkpointPrefix}.
   *
   * @throws IllegalArgumentException if the SavedModel lacks the signature, has more than one input
   *     or output, or its output shape differs from the rebuild's
   */
  static Verification verify(
      Path savedModel, ModelAssembly.Result model, String checkpointPrefix, long seed) {
    if (!Files.isRegularFile(savedModel.resolve("saved_model.pb"))) {
      throw new IllegalArgumentException(
          "--verify needs a SavedModel directory with saved_model.pb, got "
              + savedModel
              + "; a checkpoint has no forward pass to compare with");
    }
    try (SavedModelBundle bundle = SavedModelBundle.load(savedModel.toString(), "serve")) {
      SessionFunction function = function(bundle, savedModel);
      Signature signature = function.signature();
      String inputName = single(signature.inputNames(), "input", savedModel);
      String outputName = single(signature.outputNames(), "output", savedModel);
      Signature.TensorDescription input = signature.getInputs().get(inputName);
      boolean ids = model.layers().get(0) instanceof ImportedLayer.Embedding;
      long[] shape = inputShape(input.shape, ids, model);
      Random random = new Random(seed);
      float[] expected;
      try (Tensor fed = randomInput(input.dataType, shape, ids, model, random);
          Result result = function.call(Map.of(inputName, fed))) {
        expected = BundleFiles.values((TFloat32) result.get(outputName).orElseThrow());
      }
      random = new Random(seed);
      float[] actual;
      try (Tensor fed = randomInput(DataType.DT_INT32, shape, ids, model, random)) {
        actual = rebuilt(model, checkpointPrefix, fed, shape, ids);
      }
      if (expected.length != actual.length) {
        throw new IllegalArgumentException(
            "output "
                + outputName
                + " of "
                + savedModel
                + " has "
                + expected.length
                + " values for input shape "
                + java.util.Arrays.toString(shape)
                + ", but the rnnkit rebuild outputs "
                + actual.length);
      }
      double max = 0;
      double magnitude = 0;
      for (int i = 0; i < expected.length; i++) {
        max = Math.max(max, Math.abs((double) expected[i] - actual[i]));
        magnitude = Math.max(magnitude, Math.abs(expected[i]));
      }
      return new Verification(inputName, shape, outputName, max, magnitude, expected.length);
    }
  }

  private static SessionFunction function(SavedModelBundle bundle, Path savedModel) {
    List<String> keys = bundle.signatures().stream().map(Signature::key).toList();
    if (!keys.contains(SIGNATURE)) {
      throw new IllegalArgumentException(
          "SavedModel " + savedModel + " has no signature " + SIGNATURE + "; it has " + keys);
    }
    return bundle.function(SIGNATURE);
  }

  private static String single(java.util.Set<String> names, String what, Path savedModel) {
    if (names.size() != 1) {
      throw new IllegalArgumentException(
          "signature "
              + SIGNATURE
              + " of "
              + savedModel
              + " must have exactly one "
              + what
              + " to verify, got "
              + names);
    }
    return names.iterator().next();
  }

  private static long[] inputShape(Shape signatureShape, boolean ids, ModelAssembly.Result model) {
    long steps =
        signatureShape.numDimensions() >= 2 && signatureShape.size(1) > 0
            ? signatureShape.size(1)
            : DEFAULT_TIME_STEPS;
    if (ids) {
      return new long[] {BATCH, steps};
    }
    ImportedLayer.Recurrent first = (ImportedLayer.Recurrent) model.layers().get(0);
    return new long[] {BATCH, steps, first.forward().inputSize()};
  }

  /** Returns ids uniform in {@code [0, V)} or floats from N(0, 1), as {@code dataType}. */
  private static Tensor randomInput(
      DataType dataType, long[] shape, boolean ids, ModelAssembly.Result model, Random random) {
    if (!ids) {
      float[] values = new float[(int) (shape[0] * shape[1] * shape[2])];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) random.nextGaussian();
      }
      return TFloat32.tensorOf(
          Shape.of(shape), org.tensorflow.ndarray.buffer.DataBuffers.of(values, true, false));
    }
    int vocabulary = ((ImportedLayer.Embedding) model.layers().get(0)).vocabularySize();
    int[][] values = new int[(int) shape[0]][(int) shape[1]];
    for (int[] row : values) {
      for (int t = 0; t < row.length; t++) {
        row[t] = random.nextInt(vocabulary);
      }
    }
    if (dataType == DataType.DT_INT64) {
      long[][] wide = new long[values.length][];
      for (int b = 0; b < values.length; b++) {
        wide[b] = java.util.Arrays.stream(values[b]).asLongStream().toArray();
      }
      return TInt64.tensorOf(StdArrays.ndCopyOf(wide));
    }
    if (dataType == DataType.DT_FLOAT) {
      float[][] floats = new float[values.length][values[0].length];
      for (int b = 0; b < values.length; b++) {
        for (int t = 0; t < values[b].length; t++) {
          floats[b][t] = values[b][t];
        }
      }
      return TFloat32.tensorOf(StdArrays.ndCopyOf(floats));
    }
    return TInt32.tensorOf(StdArrays.ndCopyOf(values));
  }

  private static float[] rebuilt(
      ModelAssembly.Result model, String checkpointPrefix, Tensor fed, long[] shape, boolean ids) {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      io.rnnkit.nn.ParameterStore store = io.rnnkit.nn.ParameterStore.forRestore(tf);
      LayerStack stack = LayerStack.create(store, model.layers(), model.scopes());
      Class<? extends TType> type = ids ? TInt32.class : TFloat32.class;
      Placeholder<? extends TType> input =
          tf.withName("input").placeholder(type, Placeholder.shape(Shape.of(shape)));
      int[] lengths = new int[(int) shape[0]];
      java.util.Arrays.fill(lengths, (int) shape[1]);
      Operand<TFloat32> output = stack.apply(tf, input, tf.constant(lengths), (int) shape[1]);
      session.restore(checkpointPrefix);
      try (Result result = session.runner().feed(input, fed).fetch(output).run()) {
        return BundleFiles.values((TFloat32) result.get(0));
      }
    }
  }
}
