package io.rnnkit.importer;

import io.rnnkit.checkpoint.BundleWriter;
import io.rnnkit.checkpoint.ObjectGraphKeys;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.model.Network;
import io.rnnkit.nn.ParameterStore;
import io.rnnkit.train.Checkpoints;
import io.rnnkit.train.ModelFiles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject.ObjectReference;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject.SerializedTensor;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject.SlotVariableReference;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;

/** Writes checkpoints with the key names and object graphs that Python writes, and runs models. */
final class Fixtures {
  private Fixtures() {}

  /** A float tensor to write. */
  record Weight(long[] shape, float[] values) {
    static Weight of(float[] values, long... shape) {
      return new Weight(shape, values);
    }
  }

  /** Writes a name-based (TF1) bundle: each key is the variable name. */
  static void writeNameBased(Path prefix, Map<String, Weight> weights) {
    BundleWriter writer = new BundleWriter();
    weights.forEach((key, weight) -> writer.add(key, tf -> constant(tf, weight)));
    writer.add("global_step", tf -> tf.constant(1234L));
    writer.save(prefix);
  }

  static Operand<?> constant(Ops tf, Weight weight) {
    return tf.constant(Shape.of(weight.shape()), DataBuffers.of(weight.values(), true, false));
  }

  /**
   * Writes an object-based (TF2) bundle as Keras does: each checkpoint key in {@code fullNameByKey}
   * becomes a variable node with that {@code full_name}, a child of the root, and the first weight
   * also gets an Adam {@code m} slot under the optimizer node.
   */
  static void writeObjectBased(
      Path prefix, Map<String, String> fullNameByKey, Map<String, Weight> weightByKey) {
    TrackableObjectGraph.Builder graph = TrackableObjectGraph.newBuilder();
    TrackableObject.Builder root = TrackableObject.newBuilder();
    int nodeId = 1;
    Map<String, Integer> nodeByKey = new LinkedHashMap<>();
    for (String key : fullNameByKey.keySet()) {
      nodeByKey.put(key, nodeId);
      root.addChildren(child(nodeId++, key.substring(0, key.indexOf("/.ATTRIBUTES"))));
    }
    int optimizerNode = nodeId++;
    int iterNode = nodeId++;
    int slotNode = nodeId++;
    root.addChildren(child(optimizerNode, "optimizer"));
    graph.addNodes(root);
    for (Map.Entry<String, String> entry : fullNameByKey.entrySet()) {
      graph.addNodes(variable(entry.getValue(), entry.getKey()));
    }
    String firstKey = fullNameByKey.keySet().iterator().next();
    String iterKey = "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE";
    String slotKey = firstKey.replace("/.ATTRIBUTES/", "/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/");
    graph.addNodes(
        TrackableObject.newBuilder()
            .addChildren(child(iterNode, "iter"))
            .addSlotVariables(
                SlotVariableReference.newBuilder()
                    .setOriginalVariableNodeId(nodeByKey.get(firstKey))
                    .setSlotName("m")
                    .setSlotVariableNodeId(slotNode)));
    graph.addNodes(variable("Adam/iter", iterKey));
    graph.addNodes(variable("Adam/" + fullNameByKey.get(firstKey) + "/m", slotKey));
    byte[] serialized = graph.build().toByteArray();

    BundleWriter writer = new BundleWriter();
    writer.add(
        ObjectGraphKeys.OBJECT_GRAPH_KEY,
        tf -> {
          try (TString t = TString.tensorOfBytes(NdArrays.scalarOfObject(serialized))) {
            return tf.constantOf(t);
          }
        });
    weightByKey.forEach((key, weight) -> writer.add(key, tf -> constant(tf, weight)));
    writer.add(iterKey, tf -> tf.constant(7L));
    Weight first = weightByKey.get(firstKey);
    writer.add(
        slotKey, tf -> constant(tf, new Weight(first.shape(), new float[first.values().length])));
    writer.save(prefix);
  }

  private static ObjectReference child(int nodeId, String name) {
    return ObjectReference.newBuilder().setNodeId(nodeId).setLocalName(name).build();
  }

  private static TrackableObject variable(String fullName, String checkpointKey) {
    return TrackableObject.newBuilder()
        .addAttributes(
            SerializedTensor.newBuilder()
                .setName("VARIABLE_VALUE")
                .setFullName(fullName)
                .setCheckpointKey(checkpointKey))
        .build();
  }

  /**
   * Restores an imported Network from its model folder and returns its logits: {@code [B, T, V]}
   * flattened for a language model or tagger, {@code [B, C]} for a classifier.
   */
  static float[] runNetwork(Path folder, int[][] ids) {
    ModelConfig config = ModelFiles.readConfig(folder);
    int vocabularySize = ModelFiles.readVocabulary(folder).size();
    int timeSteps = ids[0].length;
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Network network = Network.create(ParameterStore.forRestore(tf), config, vocabularySize);
      Operand<TInt32> lengths = tf.constant(lengths(ids));
      Network.Encoded encoded = network.encode(tf, tf.constant(ids), lengths, timeSteps);
      Operand<TFloat32> logits =
          switch (config.getTask()) {
            case LANGUAGE_MODEL -> network.languageModelLogits(tf, encoded.outputs(), timeSteps);
            case TAGGER -> network.taggerLogits(tf, encoded.outputs(), timeSteps);
            default -> network.classifierLogits(tf, encoded.outputs(), lengths, timeSteps);
          };
      Checkpoints.restore(session, ModelFiles.checkpoint(folder));
      try (Result result = session.runner().fetch(logits).run()) {
        return BundleFiles.values((TFloat32) result.get(0));
      }
    }
  }

  /**
   * Builds a graph with {@code build} on a restore-only store, restores it from the model folder's
   * checkpoint and returns the values of the operand it returns.
   */
  static float[] runGraph(Path folder, BiFunction<Ops, ParameterStore, Operand<TFloat32>> build) {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Operand<TFloat32> output = build.apply(tf, ParameterStore.forRestore(tf));
      Checkpoints.restore(session, folder.resolve(ModelFiles.CHECKPOINT));
      try (Result result = session.runner().fetch(output).run()) {
        return BundleFiles.values((TFloat32) result.get(0));
      }
    }
  }

  static int[] lengths(int[][] ids) {
    int[] lengths = new int[ids.length];
    java.util.Arrays.fill(lengths, ids[0].length);
    return lengths;
  }
}
