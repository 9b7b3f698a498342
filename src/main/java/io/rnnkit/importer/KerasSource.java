package io.rnnkit.importer;

import com.fasterxml.jackson.databind.JsonNode;
import io.rnnkit.checkpoint.KerasGruWeights;
import io.rnnkit.checkpoint.KerasLstmWeights;
import io.rnnkit.checkpoint.KerasSimpleRnnWeights;
import io.rnnkit.checkpoint.LayoutTranslation;
import io.rnnkit.checkpoint.NamedTensor;
import io.rnnkit.checkpoint.TensorBundleReader;
import io.rnnkit.nn.Activation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the layers of a Keras model from Keras variable names such as {@code
 * lstm_5/lstm_cell_5/kernel}, {@code embedding/embeddings}, {@code dense_3/bias} or {@code
 * bidirectional/forward_lstm/lstm_cell_1/kernel}, which {@link
 * io.rnnkit.checkpoint.ObjectGraphKeys} derives from a TF2 checkpoint's object graph.
 *
 * <p>The first name segment is the layer. Its class comes from the Keras metadata when the source
 * has it, otherwise from the layer name without its {@code _N} suffix. Layers are applied in the
 * metadata's order, otherwise embedding first, then recurrent, then dense layers, each group in
 * {@code layer_with_weights-N} order where the checkpoint keys contain it.
 */
final class KerasSource {
  private static final Pattern NUMBER_SUFFIX = Pattern.compile("_\\d+$");
  private static final Pattern LAYER_WITH_WEIGHTS =
      Pattern.compile("(?:^|/)layer_with_weights-(\\d+)/");
  private static final Map<String, String> CLASS_BY_BASE_NAME =
      Map.ofEntries(
          Map.entry("embedding", "Embedding"),
          Map.entry("lstm", "LSTM"),
          Map.entry("gru", "GRU"),
          Map.entry("simple_rnn", "SimpleRNN"),
          Map.entry("cu_dnnlstm", "CuDNNLSTM"),
          Map.entry("cu_dnngru", "CuDNNGRU"),
          Map.entry("dense", "Dense"),
          Map.entry("lm_head", "Dense"),
          Map.entry("classifier_head", "Dense"),
          Map.entry("tagger_head", "Dense"),
          Map.entry("bidirectional", "Bidirectional"));
  private static final Set<String> RECURRENT_CLASSES =
      Set.of("LSTM", "GRU", "SimpleRNN", "CuDNNLSTM", "CuDNNGRU");

  private final TensorBundleReader reader;
  private final KerasMetadata metadata;
  private final Set<String> used;

  /** The tensors of one source layer, keyed by direction and variable name. */
  private static final class LayerGroup {
    final String name;
    final Map<String, String> keyByVariable = new LinkedHashMap<>();
    final List<String> kerasNames = new ArrayList<>();
    String className;
    KerasMetadata.LayerConfig config;
    int order;

    LayerGroup(String name) {
      this.name = name;
    }
  }

  private KerasSource(TensorBundleReader reader, KerasMetadata metadata, Set<String> used) {
    this.reader = reader;
    this.metadata = metadata;
    this.used = used;
  }

  /**
   * Returns the layers named in {@code kerasNameByKey} in the order the model applies them, and
   * adds every key it reads to {@code used}. Keys of layers it does not recognize are left out of
   * {@code used}.
   */
  static List<ImportedLayer> detect(
      TensorBundleReader reader,
      Map<String, String> kerasNameByKey,
      Optional<KerasMetadata> metadata,
      Set<String> used)
      throws IOException {
    return new KerasSource(reader, metadata.orElse(null), used).detect(kerasNameByKey);
  }

  private List<ImportedLayer> detect(Map<String, String> kerasNameByKey) throws IOException {
    List<LayerGroup> groups = group(kerasNameByKey);
    boolean metadataOrder = metadata != null && groups.stream().allMatch(g -> g.config != null);
    Comparator<LayerGroup> order = Comparator.comparingInt(g -> g.order);
    if (!metadataOrder) {
      order = Comparator.<LayerGroup>comparingInt(g -> kindRank(g.className)).thenComparing(order);
    }
    groups.sort(order);
    List<ImportedLayer> layers = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      boolean recurrentFollows =
          groups.subList(i + 1, groups.size()).stream().anyMatch(g -> isRecurrent(g.className));
      layers.add(convert(groups.get(i), recurrentFollows));
    }
    return layers;
  }

  private List<LayerGroup> group(Map<String, String> kerasNameByKey) {
    Map<String, LayerGroup> groups = new LinkedHashMap<>();
    int appearance = 0;
    for (Map.Entry<String, String> entry : kerasNameByKey.entrySet()) {
      String[] segments = entry.getValue().split("/");
      if (segments.length < 2) {
        continue;
      }
      LayerGroup group = groups.get(segments[0]);
      if (group == null) {
        group = new LayerGroup(segments[0]);
        group.className = className(segments[0]);
        group.order = 1_000_000 + appearance++;
        if (metadata != null) {
          group.config = metadata.layer(segments[0]).orElse(null);
        }
        if (group.config != null) {
          group.order = group.config.index();
        }
        groups.put(segments[0], group);
      }
      if (group.className == null) {
        continue;
      }
      String variable = segments[segments.length - 1];
      String direction = "";
      if (group.className.equals("Bidirectional")) {
        direction = segments[1].startsWith("backward_") ? "backward/" : "forward/";
      }
      group.keyByVariable.put(direction + variable, entry.getKey());
      group.kerasNames.add(entry.getValue());
      Matcher matcher = LAYER_WITH_WEIGHTS.matcher(entry.getKey());
      if (matcher.find() && group.config == null) {
        group.order = Math.min(group.order, Integer.parseInt(matcher.group(1)));
      }
    }
    List<LayerGroup> known = new ArrayList<>();
    for (LayerGroup group : groups.values()) {
      if (group.className != null) {
        known.add(group);
      }
    }
    return known;
  }

  private String className(String layerName) {
    if (metadata != null) {
      Optional<KerasMetadata.LayerConfig> config = metadata.layer(layerName);
      if (config.isPresent()) {
        return config.get().className();
      }
    }
    return CLASS_BY_BASE_NAME.get(NUMBER_SUFFIX.matcher(layerName).replaceFirst(""));
  }

  private static int kindRank(String className) {
    if (className.equals("Embedding")) {
      return 0;
    }
    return className.equals("Dense") ? 2 : 1;
  }

  private static boolean isRecurrent(String className) {
    return RECURRENT_CLASSES.contains(className) || className.equals("Bidirectional");
  }

  private ImportedLayer convert(LayerGroup group, boolean recurrentFollows) throws IOException {
    switch (group.className) {
      case "Embedding":
        String key = require(group, "embeddings");
        return new ImportedLayer.Embedding(group.name, key, read(key));
      case "Dense":
        return dense(group);
      case "Bidirectional":
        return bidirectional(group, recurrentFollows);
      default:
        if (!RECURRENT_CLASSES.contains(group.className)) {
          throw new IllegalArgumentException(
              "layer "
                  + group.name
                  + " is a Keras "
                  + group.className
                  + ", which rnnkit cannot import; supported layers are Embedding, Dense,"
                  + " SimpleRNN, LSTM, GRU, CuDNNLSTM, CuDNNGRU and Bidirectional");
        }
        JsonNode config = group.config == null ? null : group.config.config();
        checkRecurrentConfig(group.name, config);
        boolean returnSequences = flag(config, "return_sequences", recurrentFollows);
        CellWeights cell = cell(group, "", group.className, config);
        return new ImportedLayer.Recurrent(group.name, cell, null, returnSequences);
    }
  }

  private ImportedLayer dense(LayerGroup group) throws IOException {
    String kernelKey = require(group, "kernel");
    String biasKey = require(group, "bias");
    DenseActivation activation = DenseActivation.LINEAR;
    boolean known = group.config != null;
    if (known) {
      activation =
          DenseActivation.ofKerasName(group.config.text("activation", "linear"), group.name);
    }
    return new ImportedLayer.Dense(
        group.name, kernelKey, biasKey, read(kernelKey), read(biasKey), activation, known);
  }

  private ImportedLayer bidirectional(LayerGroup group, boolean recurrentFollows)
      throws IOException {
    JsonNode inner = null;
    String innerClass = null;
    if (group.config != null) {
      String mergeMode = group.config.text("merge_mode", "concat");
      if (!mergeMode.equals("concat")) {
        throw new IllegalArgumentException(
            "merge_mode of Bidirectional layer "
                + group.name
                + " must be 'concat' to import, got '"
                + mergeMode
                + "'");
      }
      JsonNode wrapped = group.config.config().path("layer");
      innerClass = wrapped.path("class_name").asText(null);
      inner = wrapped.path("config");
      checkRecurrentConfig(group.name, inner);
    }
    if (innerClass == null) {
      innerClass = innerClassFromKeys(group);
    }
    boolean returnSequences = flag(inner, "return_sequences", recurrentFollows);
    CellWeights forward = cell(group, "forward/", innerClass, inner);
    CellWeights backward = cell(group, "backward/", innerClass, inner);
    return new ImportedLayer.Recurrent(group.name, forward, backward, returnSequences);
  }

  private String innerClassFromKeys(LayerGroup group) {
    for (String name : group.kerasNames) {
      String[] segments = name.split("/");
      String forward = segments[1].replaceFirst("^(forward|backward)_", "");
      String className = CLASS_BY_BASE_NAME.get(NUMBER_SUFFIX.matcher(forward).replaceFirst(""));
      if (className != null && RECURRENT_CLASSES.contains(className)) {
        return className;
      }
    }
    throw new IllegalArgumentException(
        "cannot tell the cell type of Bidirectional layer "
            + group.name
            + " from its variable names "
            + group.keyByVariable.keySet()
            + "; import it from a SavedModel with Keras metadata or map it with --map");
  }

  private static boolean flag(JsonNode config, String field, boolean fallback) {
    JsonNode node = config == null ? null : config.get(field);
    return node == null || node.isNull() ? fallback : node.asBoolean();
  }

  /** Rejects settings of a Keras recurrent layer that rnnkit's cells do not implement. */
  private static void checkRecurrentConfig(String layer, JsonNode config) {
    if (config == null) {
      return;
    }
    expect(layer, config, "activation", "tanh");
    if (config.has("recurrent_activation")) {
      expect(layer, config, "recurrent_activation", "sigmoid");
    }
    if (flag(config, "go_backwards", false)) {
      throw new IllegalArgumentException(
          "go_backwards of layer "
              + layer
              + " must be false to import, got true; rnnkit runs a reversed layer only inside"
              + " Bidirectional");
    }
    if (!flag(config, "use_bias", true)) {
      throw new IllegalArgumentException(
          "use_bias of layer " + layer + " must be true to import, got false");
    }
  }

  private static void expect(String layer, JsonNode config, String field, String expected) {
    String actual = config.path(field).asText(expected);
    if (!actual.equals(expected)) {
      throw new IllegalArgumentException(
          field
              + " of layer "
              + layer
              + " must be '"
              + expected
              + "' because rnnkit's cells hard-code it, got '"
              + actual
              + "'");
    }
  }

  private CellWeights cell(LayerGroup group, String direction, String className, JsonNode config)
      throws IOException {
    String kernelKey = require(group, direction + "kernel");
    String recurrentKey = require(group, direction + "recurrent_kernel");
    String biasKey = require(group, direction + "bias");
    NamedTensor kernel = read(kernelKey);
    NamedTensor recurrent = read(recurrentKey);
    NamedTensor bias = read(biasKey);
    List<String> keys = List.of(kernelKey, recurrentKey, biasKey);
    int units = (int) recurrent.shape()[0];
    int inputSize = (int) kernel.shape()[0];
    String keras = LayoutTranslation.KERAS.description();
    try {
      return switch (className) {
        case "LSTM" ->
            CellWeights.of(
                new KerasLstmWeights(
                    inputSize,
                    units,
                    kernel.values(),
                    recurrent.values(),
                    bias.values(),
                    LayoutTranslation.KERAS),
                keys);
        case "GRU" ->
            CellWeights.of(
                new KerasGruWeights(
                    inputSize,
                    units,
                    bias.shape().length == 2,
                    kernel.values(),
                    recurrent.values(),
                    bias.values(),
                    LayoutTranslation.KERAS),
                keys);
        case "SimpleRNN" -> {
          String name = config == null ? "tanh" : config.path("activation").asText("tanh");
          Activation activation = simpleRnnActivation(group.name, name);
          yield CellWeights.of(
              new KerasSimpleRnnWeights(
                  inputSize,
                  units,
                  kernel.values(),
                  recurrent.values(),
                  bias.values(),
                  LayoutTranslation.KERAS),
              activation,
              keys);
        }
        case "CuDNNLSTM" -> cudnnLstm(inputSize, units, kernel, recurrent, bias, keys);
        case "CuDNNGRU" ->
            CellWeights.of(
                    new KerasGruWeights(
                        inputSize,
                        units,
                        true,
                        kernel.values(),
                        recurrent.values(),
                        bias.values(),
                        LayoutTranslation.KERAS),
                    keys)
                .withTransformation(
                    "Keras CuDNNGRU: bias [6H] (input, then recurrent biases) read as [2, 3H],"
                        + " reset_after=true");
        default ->
            throw new IllegalArgumentException(
                "layer "
                    + group.name
                    + " wraps a Keras "
                    + className
                    + ", which rnnkit cannot import");
      };
    } catch (IllegalArgumentException e) {
      if (e.getMessage().startsWith("layer ")) {
        throw e;
      }
      throw new IllegalArgumentException(
          "weights of "
              + className
              + " layer "
              + group.name
              + " do not fit "
              + keras
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static CellWeights cudnnLstm(
      int inputSize,
      int units,
      NamedTensor kernel,
      NamedTensor recurrent,
      NamedTensor bias,
      List<String> keys) {
    float[] summed = new float[4 * units];
    float[] both = bias.values();
    if (both.length != 8 * units) {
      throw new IllegalArgumentException(
          "CuDNNLSTM bias must have 8H = " + 8 * units + " values, got " + both.length);
    }
    for (int i = 0; i < summed.length; i++) {
      summed[i] = both[i] + both[4 * units + i];
    }
    KerasLstmWeights weights =
        new KerasLstmWeights(
            inputSize, units, kernel.values(), recurrent.values(), summed, LayoutTranslation.KERAS);
    return CellWeights.of(weights, keys)
        .withTransformation(
            "Keras CuDNNLSTM: bias [8H] (input, then recurrent biases) summed into bias [4H]");
  }

  private static Activation simpleRnnActivation(String layer, String name) {
    for (Activation activation : Activation.values()) {
      if (activation.kerasName().equals(name)) {
        return activation;
      }
    }
    throw new IllegalArgumentException(
        "activation of SimpleRNN layer "
            + layer
            + " must be tanh, sigmoid, relu or linear, got '"
            + name
            + "'");
  }

  private static String require(LayerGroup group, String variable) {
    String key = group.keyByVariable.get(variable);
    if (key == null) {
      throw new IllegalArgumentException(
          "layer "
              + group.name
              + " ("
              + group.className
              + ") has no variable '"
              + variable
              + "'; found "
              + group.keyByVariable.keySet()
              + ". Map the missing tensor with --map or re-save the model");
    }
    return key;
  }

  private NamedTensor read(String key) throws IOException {
    used.add(key);
    return reader.readFloatTensor(key);
  }
}
