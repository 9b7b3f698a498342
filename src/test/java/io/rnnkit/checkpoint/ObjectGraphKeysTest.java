package io.rnnkit.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject.ObjectReference;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject.SerializedTensor;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject.SlotVariableReference;
import org.tensorflow.types.TString;

class ObjectGraphKeysTest {
  private static final String KERNEL_KEY =
      "layer_with_weights-0/cell/kernel/.ATTRIBUTES/VARIABLE_VALUE";
  private static final String BIAS_KEY = "variables/1/.ATTRIBUTES/VARIABLE_VALUE";
  private static final String ITER_KEY = "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE";
  private static final String SLOT_KEY =
      "layer_with_weights-0/cell/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE";

  @TempDir Path dir;

  /**
   * Builds the graph Keras writes for a model with one LSTM layer trained with Adam, reduced to the
   * nodes that matter: 0 root, 1 layer, 2 cell, 3 kernel, 4 bias, 5 optimizer, 6 iter, 7 the
   * kernel's "m" slot.
   */
  private static TrackableObjectGraph kerasGraph() {
    return TrackableObjectGraph.newBuilder()
        .addNodes(
            TrackableObject.newBuilder()
                .addChildren(child(1, "layer_with_weights-0"))
                .addChildren(child(4, "variables/1"))
                .addChildren(child(5, "optimizer")))
        .addNodes(TrackableObject.newBuilder().addChildren(child(2, "cell")))
        .addNodes(
            TrackableObject.newBuilder()
                .addChildren(child(3, "kernel"))
                .addChildren(child(4, "bias")))
        .addNodes(variable("lstm/lstm_cell/kernel", KERNEL_KEY))
        .addNodes(variable("lstm/lstm_cell/bias", BIAS_KEY))
        .addNodes(
            TrackableObject.newBuilder()
                .addChildren(child(6, "iter"))
                .addSlotVariables(
                    SlotVariableReference.newBuilder()
                        .setOriginalVariableNodeId(3)
                        .setSlotName("m")
                        .setSlotVariableNodeId(7)))
        .addNodes(variable("Adam/iter", ITER_KEY))
        .addNodes(variable("Adam/lstm/lstm_cell/kernel/m", SLOT_KEY))
        .build();
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

  @Test
  void mapsKeysFromSavedObjectGraph() throws IOException {
    Path prefix = dir.resolve("ckpt-1");
    byte[] graph = kerasGraph().toByteArray();
    new BundleWriter()
        .add(
            ObjectGraphKeys.OBJECT_GRAPH_KEY,
            tf -> {
              try (TString t = TString.tensorOfBytes(NdArrays.scalarOfObject(graph))) {
                return tf.constantOf(t);
              }
            })
        .add(KERNEL_KEY, tf -> tf.constant(new float[][] {{1f, 2f}}))
        .add(BIAS_KEY, tf -> tf.constant(new float[] {3f}))
        .add(ITER_KEY, tf -> tf.constant(10L))
        .add(SLOT_KEY, tf -> tf.constant(new float[][] {{0f, 0f}}))
        .save(prefix);

    try (TensorBundleReader reader = TensorBundleReader.open(prefix)) {
      ObjectGraphKeys keys = ObjectGraphKeys.read(reader);
      assertTrue(keys.hasObjectGraph(), "mapping comes from the object graph");
      Map<String, String> names = keys.kerasNameByKey();
      assertEquals("lstm/lstm_cell/kernel", names.get(KERNEL_KEY), "kernel name");
      assertEquals("lstm/lstm_cell/bias", names.get(BIAS_KEY), "bias name");
      assertEquals("Adam/iter", names.get(ITER_KEY), "iter name");
      assertEquals(4, names.size(), "one name per variable key: " + names);
      assertFalse(names.containsKey(ObjectGraphKeys.OBJECT_GRAPH_KEY), "graph entry not mapped");
      assertEquals(Set.of(ITER_KEY, SLOT_KEY), keys.optimizerKeys(), "optimizer keys");
      assertFalse(keys.isOptimizerKey(KERNEL_KEY), "model kernel is not optimizer state");
      for (String key : names.keySet()) {
        assertTrue(reader.keys().contains(key), "mapped key exists in the bundle: " + key);
      }
    }
  }

  @Test
  void slotSuffixMarksOptimizerWithoutSlotList() {
    TrackableObjectGraph graph =
        TrackableObjectGraph.newBuilder()
            .addNodes(TrackableObject.newBuilder().addChildren(child(1, "kernel")))
            .addNodes(variable("Adam/dense/kernel/v", SLOT_KEY))
            .build();
    ObjectGraphKeys keys = ObjectGraphKeys.fromObjectGraph(graph);
    assertTrue(keys.isOptimizerKey(SLOT_KEY), ".OPTIMIZER_SLOT key is optimizer state");
  }

  @Test
  void nameBasedKeysMapToThemselves() {
    List<String> names =
        List.of(
            "Variable",
            "beta1_power",
            "rnnlm/embedding",
            "rnnlm/embedding/Adam",
            "rnnlm/embedding/Adam_1",
            "rnn/basic_lstm_cell/kernel",
            "rnn/basic_lstm_cell/kernel/Momentum");
    ObjectGraphKeys keys = ObjectGraphKeys.fromNames(names);
    assertFalse(keys.hasObjectGraph(), "no object graph");
    for (String name : names) {
      assertEquals(name, keys.kerasName(name).orElseThrow(), "name of " + name);
    }
    assertEquals(
        Set.of(
            "beta1_power",
            "rnnlm/embedding/Adam",
            "rnnlm/embedding/Adam_1",
            "rnn/basic_lstm_cell/kernel/Momentum"),
        keys.optimizerKeys(),
        "TF1 slot names");
  }
}
