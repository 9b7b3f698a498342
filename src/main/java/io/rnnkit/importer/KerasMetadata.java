package io.rnnkit.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.proto.SavedModel;

/**
 * The layer configurations that Keras stores next to a SavedModel's weights: class, activation,
 * {@code return_sequences} and so on, which the checkpoint alone does not contain.
 *
 * <p>Keras 2.5 and later write them to {@code keras_metadata.pb}, a {@code SavedMetadata} proto
 * whose node with path {@code root} carries the model's JSON config in field 5. Earlier versions
 * put the same JSON in the {@code user_object.metadata} of the root object of {@code
 * saved_model.pb}. Both are read here; a SavedModel without either has no metadata.
 */
final class KerasMetadata {
  /** Field numbers of {@code SavedMetadata.nodes} and {@code SavedObject.node_path/metadata}. */
  private static final int NODES_FIELD = 1;

  private static final int NODE_PATH_FIELD = 3;
  private static final int METADATA_FIELD = 5;

  /** One layer's class name and config, with its position in the model. */
  record LayerConfig(int index, String className, JsonNode config) {
    String text(String field, String fallback) {
      JsonNode node = config.get(field);
      return node == null || node.isNull() ? fallback : node.asText();
    }

    boolean flag(String field, boolean fallback) {
      JsonNode node = config.get(field);
      return node == null || node.isNull() ? fallback : node.asBoolean();
    }
  }

  private final Map<String, LayerConfig> layers;

  private KerasMetadata(Map<String, LayerConfig> layers) {
    this.layers = layers;
  }

  /** Reads the layer configs of the SavedModel in {@code directory}, if it stores them. */
  static Optional<KerasMetadata> read(Path directory) throws IOException {
    Optional<String> json = fromKerasMetadata(directory.resolve("keras_metadata.pb"));
    if (json.isEmpty()) {
      json = fromSavedModel(directory.resolve("saved_model.pb"));
    }
    if (json.isEmpty()) {
      return Optional.empty();
    }
    JsonNode root = new ObjectMapper().readTree(json.get());
    JsonNode list = root.path("config").path("layers");
    Map<String, LayerConfig> layers = new LinkedHashMap<>();
    int index = 0;
    for (JsonNode layer : list) {
      JsonNode config = layer.path("config");
      layers.put(
          config.path("name").asText(),
          new LayerConfig(index++, layer.path("class_name").asText(), config));
    }
    return Optional.of(new KerasMetadata(layers));
  }

  private static Optional<String> fromKerasMetadata(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    UnknownFieldSet metadata = UnknownFieldSet.parseFrom(Files.readAllBytes(file));
    if (!metadata.hasField(NODES_FIELD)) {
      return Optional.empty();
    }
    for (ByteString nodeBytes : metadata.getField(NODES_FIELD).getLengthDelimitedList()) {
      UnknownFieldSet node = UnknownFieldSet.parseFrom(nodeBytes);
      String path = firstString(node, NODE_PATH_FIELD);
      if ("root".equals(path)) {
        return Optional.ofNullable(firstString(node, METADATA_FIELD));
      }
    }
    return Optional.empty();
  }

  private static String firstString(UnknownFieldSet message, int field) {
    if (!message.hasField(field) || message.getField(field).getLengthDelimitedList().isEmpty()) {
      return null;
    }
    return message.getField(field).getLengthDelimitedList().get(0).toStringUtf8();
  }

  private static Optional<String> fromSavedModel(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    SavedModel savedModel = SavedModel.parseFrom(Files.readAllBytes(file));
    if (savedModel.getMetaGraphsCount() == 0
        || savedModel.getMetaGraphs(0).getObjectGraphDef().getNodesCount() == 0) {
      return Optional.empty();
    }
    String metadata =
        savedModel.getMetaGraphs(0).getObjectGraphDef().getNodes(0).getUserObject().getMetadata();
    return metadata.isEmpty() ? Optional.empty() : Optional.of(metadata);
  }

  /** Returns the config of the layer called {@code name}, if the metadata lists it. */
  Optional<LayerConfig> layer(String name) {
    return Optional.ofNullable(layers.get(name));
  }
}
