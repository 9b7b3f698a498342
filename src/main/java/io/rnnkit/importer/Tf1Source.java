package io.rnnkit.importer;

import io.rnnkit.checkpoint.EntryInfo;
import io.rnnkit.checkpoint.KerasGruWeights;
import io.rnnkit.checkpoint.KerasLstmWeights;
import io.rnnkit.checkpoint.NamedTensor;
import io.rnnkit.checkpoint.TensorBundleReader;
import io.rnnkit.checkpoint.Tf1Cells;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the layers of a TF1 name-based checkpoint ({@code tf.train.Saver}) from its key names.
 *
 * <p>Recognized scopes: LSTM cells named {@code basic_lstm_cell}, {@code lstm_cell} or {@code
 * cudnn_compatible_lstm_cell} and GRU cells named {@code gru_cell}, each with {@code kernel}/{@code
 * bias} (TF 1.2 and later) or {@code weights}/{@code biases} (TF 1.0 and 1.1); {@code MultiRNNCell}
 * layers {@code .../cell_K/...}, ordered by K; {@code bidirectional_rnn/fw} and {@code .../bw}
 * pairs; an embedding table whose last name segment is {@code embedding}, {@code embeddings} or
 * {@code embedding_matrix}; a softmax layer {@code .../softmax_w [H, V]} with {@code .../softmax_b
 * [V]}; and {@code tf.layers.dense} scopes {@code .../dense[_N]/kernel} with {@code bias}.
 */
final class Tf1Source {
  private static final Set<String> LSTM_CELLS =
      Set.of("basic_lstm_cell", "lstm_cell", "cudnn_compatible_lstm_cell");
  private static final Set<String> GRU_CELLS = Set.of("gru_cell");
  private static final Set<String> EMBEDDING_NAMES =
      Set.of("embedding", "embeddings", "embedding_matrix");
  private static final Pattern CELL_INDEX = Pattern.compile("(?:^|/)cell_(\\d+)(?:/|$)");
  private static final Pattern DENSE_SCOPE = Pattern.compile("(?:^|.*/)dense(?:_\\d+)?");

  private final TensorBundleReader reader;
  private final Collection<String> keys;
  private final float forgetBias;
  private final Set<String> used;

  private Tf1Source(
      TensorBundleReader reader, Collection<String> keys, float forgetBias, Set<String> used) {
    this.reader = reader;
    this.keys = keys;
    this.forgetBias = forgetBias;
    this.used = used;
  }

  /**
   * Returns the layers found among {@code keys}, embedding first, then recurrent layers, then dense
   * layers, and adds every key it reads to {@code used}.
   *
   * @param forgetBias the {@code forget_bias} that the TF1 LSTM cells added at run time
   */
  static List<ImportedLayer> detect(
      TensorBundleReader reader, Collection<String> keys, float forgetBias, Set<String> used)
      throws IOException {
    return new Tf1Source(reader, keys, forgetBias, used).detect();
  }

  private List<ImportedLayer> detect() throws IOException {
    List<ImportedLayer> layers = new ArrayList<>();
    layers.addAll(embeddings());
    layers.addAll(recurrentLayers());
    layers.addAll(denseLayers());
    return layers;
  }

  private List<ImportedLayer> embeddings() throws IOException {
    List<ImportedLayer> found = new ArrayList<>();
    for (String key : keys) {
      EntryInfo entry = reader.entry(key).orElseThrow();
      if (EMBEDDING_NAMES.contains(lastSegment(key)) && entry.shape().length == 2) {
        found.add(new ImportedLayer.Embedding(key, key, read(key)));
      }
    }
    return found;
  }

  /** A recognized cell scope and its direction inside a bidirectional layer. */
  private record CellScope(String scope, boolean gru, String layerKey, Direction direction) {}

  private enum Direction {
    FORWARD,
    BACKWARD,
    ONLY
  }

  private List<ImportedLayer> recurrentLayers() throws IOException {
    Map<String, Map<Direction, CellScope>> byLayer = new LinkedHashMap<>();
    for (String key : keys) {
      CellScope cell = cellScope(key);
      if (cell != null) {
        byLayer
            .computeIfAbsent(cell.layerKey(), k -> new LinkedHashMap<>())
            .put(cell.direction, cell);
      }
    }
    List<String> layerKeys = new ArrayList<>(byLayer.keySet());
    layerKeys.sort(Comparator.comparingInt(Tf1Source::cellIndex).thenComparing(k -> k));
    List<ImportedLayer> layers = new ArrayList<>();
    for (String layerKey : layerKeys) {
      Map<Direction, CellScope> cells = byLayer.get(layerKey);
      if (cells.containsKey(Direction.ONLY)) {
        layers.add(
            new ImportedLayer.Recurrent(layerKey, convert(cells.get(Direction.ONLY)), null, true));
        continue;
      }
      CellScope forward = cells.get(Direction.FORWARD);
      CellScope backward = cells.get(Direction.BACKWARD);
      if (forward == null || backward == null) {
        CellScope present = forward == null ? backward : forward;
        throw new IllegalArgumentException(
            "bidirectional layer "
                + layerKey
                + " must have both a fw and a bw cell, got only "
                + present.scope()
                + "; map the cell explicitly with --map");
      }
      layers.add(new ImportedLayer.Recurrent(layerKey, convert(forward), convert(backward), true));
    }
    return layers;
  }

  private CellScope cellScope(String key) {
    String last = lastSegment(key);
    if (!last.equals("kernel") && !last.equals("weights")) {
      return null;
    }
    String parent = parent(key);
    String parentName = lastSegment(parent);
    if (LSTM_CELLS.contains(parentName)) {
      return withDirection(parent, false);
    }
    if (parentName.equals("gates") && GRU_CELLS.contains(lastSegment(parent(parent)))) {
      return withDirection(parent(parent), true);
    }
    return null;
  }

  private static CellScope withDirection(String scope, boolean gru) {
    List<String> segments = new ArrayList<>(List.of(scope.split("/")));
    Direction direction = Direction.ONLY;
    for (int i = 0; i < segments.size(); i++) {
      if (segments.get(i).equals("fw") || segments.get(i).equals("bw")) {
        direction = segments.get(i).equals("fw") ? Direction.FORWARD : Direction.BACKWARD;
        segments.set(i, "(fw|bw)");
      }
    }
    return new CellScope(scope, gru, String.join("/", segments), direction);
  }

  private CellWeights convert(CellScope cell) throws IOException {
    return cell.gru() ? convertGru(cell) : convertLstm(cell);
  }

  private CellWeights convertGru(CellScope cell) throws IOException {
    Tf1Cells.GruKeys gruKeys = Tf1Cells.gruKeys(keys, cell.scope());
    NamedTensor gatesKernel = read(gruKeys.gatesKernel());
    NamedTensor candidateBias = read(gruKeys.candidateBias());
    int units = candidateBias.values().length;
    int inputSize = checkedInputSize(gatesKernel, units, cell.scope());
    KerasGruWeights weights =
        Tf1Cells.gru(
            gatesKernel.values(),
            read(gruKeys.gatesBias()).values(),
            read(gruKeys.candidateKernel()).values(),
            candidateBias.values(),
            inputSize,
            units);
    return CellWeights.of(
        weights,
        List.of(
            gruKeys.gatesKernel(),
            gruKeys.gatesBias(),
            gruKeys.candidateKernel(),
            gruKeys.candidateBias()));
  }

  private CellWeights convertLstm(CellScope cell) throws IOException {
    Tf1Cells.LstmKeys lstmKeys = Tf1Cells.lstmKeys(keys, cell.scope());
    NamedTensor kernel = read(lstmKeys.kernel());
    NamedTensor bias = read(lstmKeys.bias());
    int units = bias.values().length / 4;
    int inputSize = checkedInputSize(kernel, units, cell.scope());
    // CudnnCompatibleLSTMCell has no forget bias: its checkpoint bias already contains it.
    boolean cudnnCompatible = lastSegment(cell.scope()).equals("cudnn_compatible_lstm_cell");
    float folded = cudnnCompatible ? 0f : forgetBias;
    KerasLstmWeights weights =
        Tf1Cells.lstm(kernel.values(), bias.values(), inputSize, units, folded);
    CellWeights converted = CellWeights.of(weights, List.of(lstmKeys.kernel(), lstmKeys.bias()));
    String note =
        cudnnCompatible
            ? " (cuDNN-compatible cell: forget_bias 0)"
            : " (forget_bias " + folded + ")";
    return converted.withTransformation(converted.transformation() + note);
  }

  private static int checkedInputSize(NamedTensor kernel, int units, String scope) {
    long[] shape = kernel.shape();
    if (shape.length != 2 || shape[0] <= units || units <= 0) {
      throw new IllegalArgumentException(
          "kernel of TF1 cell "
              + scope
              + " must have shape [I + H, gH] with I > 0 for H = "
              + units
              + " (from its bias), got "
              + java.util.Arrays.toString(shape));
    }
    return (int) (shape[0] - units);
  }

  private List<ImportedLayer> denseLayers() throws IOException {
    List<ImportedLayer> dense = new ArrayList<>();
    List<ImportedLayer> softmax = new ArrayList<>();
    for (String key : keys) {
      if (lastSegment(key).equals("softmax_w")) {
        String biasKey = parentPrefix(key) + "softmax_b";
        softmax.add(denseLayer(parentPrefix(key) + "softmax", key, biasKey));
      } else if (isDenseKernel(key)) {
        dense.add(denseLayer(parent(key), key, parent(key) + "/" + biasName(key)));
      }
    }
    dense.addAll(softmax);
    return dense;
  }

  private boolean isDenseKernel(String key) {
    String last = lastSegment(key);
    return (last.equals("kernel") || last.equals("weights"))
        && DENSE_SCOPE.matcher(parent(key)).matches();
  }

  private static String biasName(String kernelKey) {
    return lastSegment(kernelKey).equals("weights") ? "biases" : "bias";
  }

  private ImportedLayer denseLayer(String source, String kernelKey, String biasKey)
      throws IOException {
    if (!keys.contains(biasKey)) {
      throw new IllegalArgumentException(
          "bias "
              + biasKey
              + " of dense layer "
              + source
              + " not found in the checkpoint; map the layer's tensors with --map");
    }
    return new ImportedLayer.Dense(
        source, kernelKey, biasKey, read(kernelKey), read(biasKey), DenseActivation.LINEAR, false);
  }

  private NamedTensor read(String key) throws IOException {
    used.add(key);
    return reader.readFloatTensor(key);
  }

  private static int cellIndex(String layerKey) {
    Matcher matcher = CELL_INDEX.matcher(layerKey);
    return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
  }

  static String lastSegment(String key) {
    return key.substring(key.lastIndexOf('/') + 1);
  }

  static String parent(String key) {
    int slash = key.lastIndexOf('/');
    return slash < 0 ? "" : key.substring(0, slash);
  }

  private static String parentPrefix(String key) {
    int slash = key.lastIndexOf('/');
    return slash < 0 ? "" : key.substring(0, slash + 1);
  }
}
