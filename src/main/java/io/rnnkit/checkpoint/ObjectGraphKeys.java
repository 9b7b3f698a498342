package io.rnnkit.checkpoint;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject.ObjectReference;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject.SerializedTensor;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject.SlotVariableReference;

/**
 * Maps the keys of a checkpoint to Keras variable names, and marks optimizer state.
 *
 * <p>TF2 object-based checkpoints ({@code tf.train.Checkpoint}, Keras {@code save_weights} in TF
 * format, SavedModel {@code variables/}) key each tensor by the path of attribute names from the
 * root object, such as {@code layer_with_weights-0/cell/kernel/.ATTRIBUTES/VARIABLE_VALUE} or
 * {@code trainable_variables/1/.ATTRIBUTES/VARIABLE_VALUE}. The scheme varies with the TF and Keras
 * version. The string tensor {@value #OBJECT_GRAPH_KEY} contains a serialized {@code
 * TrackableObjectGraph}. Each node lists its children and its {@code attributes}, where a
 * variable's attribute carries the {@code checkpoint_key} and the variable's {@code full_name} (the
 * Keras name, such as {@code lstm_5/lstm_cell_5/kernel}).
 *
 * <p>Optimizer keys are those of slot variables (nodes that an optimizer's {@code slot_variables}
 * reference, whose keys contain {@code /.OPTIMIZER_SLOT/}) and those of variables the optimizer
 * object itself owns, such as {@code optimizer/iter} and {@code optimizer/learning_rate}. An
 * optimizer object is a node that lists slot variables, or a child named {@code optimizer}.
 *
 * <p>TF1 name-based checkpoints ({@code tf.compat.v1.train.Saver}) have no object graph: there each
 * key is the variable name itself, and {@link #optimizerKeys()} uses the slot-name convention of
 * the TF1 optimizers (see {@link #fromNames}).
 */
public final class ObjectGraphKeys {
  /** Key of the serialized {@code TrackableObjectGraph} in object-based checkpoints. */
  public static final String OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH";

  /** Local name under which Keras models and {@code tf.train.Checkpoint} track the optimizer. */
  private static final String OPTIMIZER_CHILD_NAME = "optimizer";

  /**
   * Suffixes of TF1 optimizer slot variables ({@code var/Adam}, {@code var/Adam_1}, {@code
   * var/Momentum}, ...) and the names of TF1 optimizer-owned variables.
   */
  private static final List<String> TF1_SLOT_SUFFIXES =
      List.of(
          "/Adam",
          "/Adam_1",
          "/Momentum",
          "/RMSProp",
          "/RMSProp_1",
          "/Adagrad",
          "/AdagradDA",
          "/AdagradDA_1",
          "/Adadelta",
          "/Adadelta_1",
          "/Ftrl",
          "/Ftrl_1",
          "/ProximalAdagrad");

  private static final Set<String> TF1_OPTIMIZER_VARIABLES =
      Set.of("beta1_power", "beta2_power", "global_step");

  private final boolean fromObjectGraph;
  private final Map<String, String> kerasNameByKey;
  private final Set<String> optimizerKeys;

  private ObjectGraphKeys(
      boolean fromObjectGraph, Map<String, String> kerasNameByKey, Set<String> optimizerKeys) {
    this.fromObjectGraph = fromObjectGraph;
    this.kerasNameByKey = Collections.unmodifiableMap(kerasNameByKey);
    this.optimizerKeys = Collections.unmodifiableSet(optimizerKeys);
  }

  /**
   * Builds the mapping for an open bundle: from its object graph if it has {@value
   * #OBJECT_GRAPH_KEY}, else from its key names.
   */
  public static ObjectGraphKeys read(TensorBundleReader reader) throws IOException {
    if (reader.entry(OBJECT_GRAPH_KEY).isEmpty()) {
      return fromNames(reader.keys());
    }
    List<byte[]> serialized = reader.readStrings(OBJECT_GRAPH_KEY);
    if (serialized.size() != 1) {
      throw new CheckpointFormatException(
          OBJECT_GRAPH_KEY
              + " in checkpoint "
              + reader.prefix()
              + " has "
              + serialized.size()
              + " elements, expected a scalar string.");
    }
    TrackableObjectGraph graph;
    try {
      graph = TrackableObjectGraph.parseFrom(serialized.get(0));
    } catch (InvalidProtocolBufferException e) {
      throw new CheckpointFormatException(
          "Cannot parse "
              + OBJECT_GRAPH_KEY
              + " in checkpoint "
              + reader.prefix()
              + " as a TrackableObjectGraph.",
          e);
    }
    return fromObjectGraph(graph);
  }

  /** Builds the mapping from a decoded object graph. Node 0 is the root. */
  public static ObjectGraphKeys fromObjectGraph(TrackableObjectGraph graph) {
    int nodeCount = graph.getNodesCount();
    Set<Integer> optimizerNodes = new HashSet<>();
    Set<Integer> slotNodes = new HashSet<>();
    for (int id = 0; id < nodeCount; id++) {
      TrackableObject node = graph.getNodes(id);
      if (node.getSlotVariablesCount() > 0) {
        optimizerNodes.add(id);
      }
      for (SlotVariableReference slot : node.getSlotVariablesList()) {
        slotNodes.add(slot.getSlotVariableNodeId());
      }
      for (ObjectReference child : node.getChildrenList()) {
        if (child.getLocalName().equals(OPTIMIZER_CHILD_NAME)) {
          optimizerNodes.add(child.getNodeId());
        }
      }
    }

    // Everything reachable from an optimizer object belongs to the optimizer. Model variables are
    // not children of Keras optimizers, so this does not capture them.
    Set<Integer> optimizerOwned = new HashSet<>(slotNodes);
    Deque<Integer> pending = new ArrayDeque<>(optimizerNodes);
    while (!pending.isEmpty()) {
      int id = pending.pop();
      if (id < 0 || id >= nodeCount || !optimizerOwned.add(id)) {
        continue;
      }
      for (ObjectReference child : graph.getNodes(id).getChildrenList()) {
        pending.push(child.getNodeId());
      }
    }

    Map<String, String> kerasNameByKey = new LinkedHashMap<>();
    Set<String> optimizerKeys = new LinkedHashSet<>();
    for (int id = 0; id < nodeCount; id++) {
      for (SerializedTensor attribute : graph.getNodes(id).getAttributesList()) {
        String key = attribute.getCheckpointKey();
        if (key.isEmpty()) {
          continue;
        }
        String name = attribute.getFullName().isEmpty() ? key : attribute.getFullName();
        kerasNameByKey.put(key, name);
        if (optimizerOwned.contains(id) || key.contains("/.OPTIMIZER_SLOT/")) {
          optimizerKeys.add(key);
        }
      }
    }
    return new ObjectGraphKeys(true, kerasNameByKey, optimizerKeys);
  }

  /**
   * Builds the mapping for a name-based checkpoint: each key maps to itself. Keys ending in a TF1
   * optimizer slot suffix ({@code /Adam}, {@code /Adam_1}, {@code /Momentum}, {@code /RMSProp},
   * ...) and the keys {@code beta1_power}, {@code beta2_power} and {@code global_step} are marked
   * as optimizer keys.
   *
   * <p>NOTE: this is a naming convention, not metadata. A model variable whose name ends in one of
   * those suffixes is misreported, and a global step saved under another name (such as {@code
   * Variable}) is not recognised.
   */
  public static ObjectGraphKeys fromNames(List<String> keys) {
    Map<String, String> kerasNameByKey = new LinkedHashMap<>();
    Set<String> optimizerKeys = new LinkedHashSet<>();
    for (String key : keys) {
      kerasNameByKey.put(key, key);
      String baseName = key.substring(key.lastIndexOf('/') + 1);
      boolean slot = TF1_SLOT_SUFFIXES.stream().anyMatch(key::endsWith);
      if (slot || TF1_OPTIMIZER_VARIABLES.contains(baseName)) {
        optimizerKeys.add(key);
      }
    }
    return new ObjectGraphKeys(false, kerasNameByKey, optimizerKeys);
  }

  /** Returns true if the mapping came from a {@value #OBJECT_GRAPH_KEY} entry. */
  public boolean hasObjectGraph() {
    return fromObjectGraph;
  }

  /**
   * Returns the variable name for each checkpoint key, in object-graph node order. With an object
   * graph, the name is the attribute's {@code full_name}, or the key itself where that is empty.
   * The {@value #OBJECT_GRAPH_KEY} entry itself is not included.
   */
  public Map<String, String> kerasNameByKey() {
    return kerasNameByKey;
  }

  /** Returns the variable name for {@code key}, or empty if the mapping lacks the key. */
  public Optional<String> kerasName(String key) {
    return Optional.ofNullable(kerasNameByKey.get(key));
  }

  /** Returns the keys of optimizer slot variables and optimizer-owned variables. */
  public Set<String> optimizerKeys() {
    return optimizerKeys;
  }

  /** Returns true if {@code key} is optimizer state rather than a model weight. */
  public boolean isOptimizerKey(String key) {
    return optimizerKeys.contains(key);
  }
}
