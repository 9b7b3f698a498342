package io.rnnkit.importer;

import com.google.protobuf.TextFormat;
import io.rnnkit.checkpoint.EntryInfo;
import io.rnnkit.checkpoint.NamedTensor;
import io.rnnkit.checkpoint.ObjectGraphKeys;
import io.rnnkit.checkpoint.TensorBundleReader;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.data.Vocabulary;
import io.rnnkit.model.Network;
import io.rnnkit.nn.ParameterStore;
import io.rnnkit.train.Checkpoints;
import io.rnnkit.train.ModelFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;

/**
 * Builds an rnnkit model folder from weights that Python TensorFlow wrote: a TF1 name-based
 * checkpoint, a TF2 object-based checkpoint, or a Keras SavedModel.
 *
 * <pre>{@code
 * Importer.Result result =
 *     Importer.run(Importer.Options.of(Path.of("save/model.ckpt-1000"), Path.of("runs/imported")));
 * System.out.print(result.table());
 * }</pre>
 *
 * <p>The folder contains {@code checkpoint/} with one tensor per rnnkit variable, {@code
 * import_report.txt} (the table of {@link Result#table()}) and {@code layers.txt} (the rebuilt
 * layers). If the layers form a {@link Network}, it also contains {@code model_config.pbtxt} and
 * {@code vocab.txt}, so every rnnkit command that reads a model folder can use it. The folder is
 * written under a temporary name and renamed when complete, so a failed import leaves nothing.
 */
public final class Importer {

  /** Largest output difference {@link Options#verify()} accepts. */
  public static final double VERIFY_TOLERANCE = 1e-4;

  /** Name of the report file in the model folder. */
  public static final String REPORT_FILE = "import_report.txt";

  /** Name of the layer description in the model folder. */
  public static final String LAYERS_FILE = "layers.txt";

  private Importer() {}

  /**
   * Import settings.
   *
   * @param source a checkpoint prefix (the path without {@code .index}) or a SavedModel directory
   * @param out the model folder to create; it must not exist
   * @param keyMap explicit source-key to target-name mappings
   * @param forgetBias the {@code forget_bias} of TF1 LSTM cells, folded into the forget-gate bias
   * @param verify whether to compare the SavedModel's output with the rebuilt model's
   * @param vocabulary a vocabulary file (one token per line, {@code <pad>} and {@code <unk>} first)
   *     to store with a Network, or {@code null} for placeholder tokens
   * @param seed seed of the random verification batch
   */
  public record Options(
      Path source,
      Path out,
      KeyMap keyMap,
      float forgetBias,
      boolean verify,
      Path vocabulary,
      long seed) {

    /** Returns options with no key map, forget bias 1.0 (the TF1 default) and no verification. */
    public static Options of(Path source, Path out) {
      return new Options(source, out, KeyMap.empty(), 1.0f, false, null, 20240601L);
    }

    public Options withKeyMap(KeyMap value) {
      return new Options(source, out, value, forgetBias, verify, vocabulary, seed);
    }

    public Options withForgetBias(float value) {
      return new Options(source, out, keyMap, value, verify, vocabulary, seed);
    }

    public Options withVerify(boolean value) {
      return new Options(source, out, keyMap, forgetBias, value, vocabulary, seed);
    }

    public Options withVocabulary(Path value) {
      return new Options(source, out, keyMap, forgetBias, verify, value, seed);
    }
  }

  /**
   * A finished import.
   *
   * @param format the kind of source read
   * @param rows one row per source key, then one per missing variable
   * @param scopes the rnnkit scope of each imported layer, in order
   * @param config the Network configuration, or empty if the layers form only a layer stack
   * @param uncovered why the layers do not form a Network; empty if they do
   * @param verification the comparison with the SavedModel, if verification ran
   */
  public record Result(
      SourceFormat format,
      List<ReportRow> rows,
      List<String> scopes,
      Optional<ModelConfig> config,
      List<String> uncovered,
      Optional<Verification> verification) {

    /** Returns the report table. */
    public String table() {
      return ImportReport.table(rows);
    }

    /** Returns one line per layer of the rebuilt model, and what a Network does not cover. */
    public String coverage() {
      StringBuilder text = new StringBuilder();
      if (config.isPresent()) {
        text.append("rebuilt as an rnnkit ")
            .append(config.get().getTask())
            .append(" Network: ")
            .append(String.join(", ", scopes))
            .append('\n');
      } else {
        text.append("rebuilt as a layer stack (")
            .append(String.join(", ", scopes))
            .append("); no model_config.pbtxt or vocab.txt is written, because an rnnkit Network")
            .append(" cannot express this model:\n");
        for (String gap : uncovered) {
          text.append("  - ").append(gap).append('\n');
        }
      }
      return text.toString();
    }
  }

  /**
   * Runs the import and writes the model folder.
   *
   * @throws ImportException if a source weight has no rnnkit equivalent, a variable is missing or
   *     mismatched in shape, or verification fails; nothing is written then
   * @throws io.rnnkit.checkpoint.CheckpointFormatException if the checkpoint is missing or corrupt
   */
  public static Result run(Options options) throws IOException {
    Path out = options.out().toAbsolutePath();
    if (Files.exists(out)) {
      throw new IllegalArgumentException(
          "--out " + out + " already exists; choose a new folder or remove it first");
    }
    List<ReportRow> rows = new ArrayList<>();
    ModelAssembly.Result model;
    SourceFormat format;
    try (TensorBundleReader reader = TensorBundleReader.open(options.source())) {
      ObjectGraphKeys names = ObjectGraphKeys.read(reader);
      format = format(options.source(), names);
      model = readModel(reader, names, format, options, rows);
    }
    Path temporary =
        out.resolveSibling(out.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    Checkpoints.deleteRecursively(temporary);
    try {
      writeFolder(temporary, model, options, rows);
      Optional<Verification> verification = Optional.empty();
      if (options.verify()) {
        verification = Optional.of(verify(temporary, model, options, rows));
      }
      Files.move(temporary, out, StandardCopyOption.ATOMIC_MOVE);
      return new Result(
          format,
          List.copyOf(rows),
          model.scopes(),
          model.config(),
          model.uncovered(),
          verification);
    } finally {
      Checkpoints.deleteRecursively(temporary);
    }
  }

  private static SourceFormat format(Path source, ObjectGraphKeys names) {
    if (Files.isDirectory(source)) {
      return SourceFormat.SAVED_MODEL;
    }
    return names.hasObjectGraph() ? SourceFormat.TF2_CHECKPOINT : SourceFormat.TF1_CHECKPOINT;
  }

  private static ModelAssembly.Result readModel(
      TensorBundleReader reader,
      ObjectGraphKeys names,
      SourceFormat format,
      Options options,
      List<ReportRow> rows)
      throws IOException {
    Map<String, String> mapped = options.keyMap().targetBySource();
    for (String key : mapped.keySet()) {
      if (reader.entry(key).isEmpty()) {
        throw new IllegalArgumentException(
            "--map names source key '"
                + key
                + "', which checkpoint "
                + reader.prefix()
                + " does not contain; list its keys with rnnkit inspect-checkpoint");
      }
    }
    List<String> candidates = new ArrayList<>();
    for (String key : reader.keys()) {
      Optional<String> skipped = skipReason(reader.entry(key).orElseThrow(), names, mapped);
      if (skipped.isPresent()) {
        KeyStatus status = names.isOptimizerKey(key) ? KeyStatus.OPTIMIZER : KeyStatus.UNUSED;
        rows.add(new ReportRow(key, shape(reader, key), "-", status, skipped.get()));
      } else {
        candidates.add(key);
      }
    }
    Set<String> used = new HashSet<>();
    ModelAssembly.Result model;
    try {
      List<ImportedLayer> layers = detect(reader, names, format, options, candidates, used);
      model = ModelAssembly.assemble(layers);
    } catch (IllegalArgumentException e) {
      throw new ImportException(e.getMessage(), rows, e);
    }
    addImportedRows(reader, model, candidates, used, rows);
    checkAgainstGraph(model, rows);
    List<String> failures =
        rows.stream().filter(r -> r.status().isFailure()).map(ReportRow::sourceKey).toList();
    if (!failures.isEmpty()) {
      throw new ImportException(
          failures.size()
              + " key(s) could not be imported (see UNRECOGNIZED, MISSING and SHAPE_MISMATCH"
              + " rows); map them with --map or re-save the model without them",
          rows,
          null);
    }
    return model;
  }

  /** Returns why {@code entry} is not a weight, or empty if it may be one. */
  private static Optional<String> skipReason(
      EntryInfo entry, ObjectGraphKeys names, Map<String, String> mapped) {
    String key = entry.key();
    if (mapped.containsKey(key)) {
      return Optional.empty();
    }
    if (key.equals(ObjectGraphKeys.OBJECT_GRAPH_KEY)) {
      return Optional.of("object graph, read for the Keras names");
    }
    if (names.isOptimizerKey(key)) {
      return Optional.of("optimizer state, not needed for inference or fine-tuning");
    }
    // Float tensors of any other dtype stay candidates, so that reading one reports its dtype.
    boolean notWeight =
        entry.dtype() == DataType.DT_STRING
            || entry.dtype() == DataType.DT_INT32
            || entry.dtype() == DataType.DT_INT64
            || entry.dtype() == DataType.DT_BOOL;
    if (notWeight || entry.shape().length == 0) {
      return Optional.of(
          entry.dtype() + " " + entry.shapeString() + " is not a weight (step counter or metric)");
    }
    return Optional.empty();
  }

  private static List<ImportedLayer> detect(
      TensorBundleReader reader,
      ObjectGraphKeys names,
      SourceFormat format,
      Options options,
      List<String> candidates,
      Set<String> used)
      throws IOException {
    Map<String, String> mapped = options.keyMap().targetBySource();
    Optional<KerasMetadata> metadata =
        format == SourceFormat.SAVED_MODEL
            ? KerasMetadata.read(options.source())
            : Optional.empty();
    if (format == SourceFormat.TF1_CHECKPOINT) {
      List<String> unmapped = candidates.stream().filter(k -> !mapped.containsKey(k)).toList();
      List<ImportedLayer> layers = new ArrayList<>();
      layers.addAll(Tf1Source.detect(reader, unmapped, options.forgetBias(), used));
      layers.addAll(KerasSource.detect(reader, mapped, Optional.empty(), used));
      layers.sort(
          java.util.Comparator.comparingInt(
              layer ->
                  layer instanceof ImportedLayer.Embedding
                      ? 0
                      : layer instanceof ImportedLayer.Recurrent ? 1 : 2));
      return layers;
    }
    Map<String, String> kerasNames = new LinkedHashMap<>();
    for (String key : candidates) {
      String name = mapped.getOrDefault(key, names.kerasName(key).orElse(key));
      kerasNames.put(key, name);
    }
    return KerasSource.detect(reader, kerasNames, metadata, used);
  }

  private static void addImportedRows(
      TensorBundleReader reader,
      ModelAssembly.Result model,
      List<String> candidates,
      Set<String> used,
      List<ReportRow> rows) {
    for (String key : candidates) {
      if (!used.contains(key)) {
        rows.add(
            new ReportRow(
                key,
                shape(reader, key),
                "-",
                KeyStatus.UNRECOGNIZED,
                "a weight that matches no layer rnnkit imports; map it with --map"));
        continue;
      }
      List<String> targets = new ArrayList<>();
      String detail = "";
      for (TargetTensor tensor : model.tensors()) {
        if (tensor.sourceKeys().contains(key)) {
          targets.add(tensor.name());
          detail = tensor.transformation();
        }
      }
      rows.add(
          new ReportRow(
              key, shape(reader, key), String.join(", ", targets), KeyStatus.IMPORTED, detail));
    }
  }

  /**
   * Builds the rnnkit graph of the model, and of its Network if it forms one, and reports every
   * variable that no tensor fills or whose shape differs from its tensor's.
   */
  private static void checkAgainstGraph(ModelAssembly.Result model, List<ReportRow> rows) {
    Map<String, NamedTensor> tensors = new LinkedHashMap<>();
    for (TargetTensor tensor : model.tensors()) {
      tensors.put(tensor.name(), tensor.value());
    }
    try (Graph graph = new Graph()) {
      ParameterStore store = ParameterStore.forRestore(Ops.create(graph));
      LayerStack.create(store, model.layers(), model.scopes());
      compare(store, tensors, "layer stack", rows);
    }
    if (model.config().isPresent()) {
      try (Graph graph = new Graph()) {
        ParameterStore store = ParameterStore.forRestore(Ops.create(graph));
        Network.create(store, model.config().get(), vocabularySize(model));
        compare(store, tensors, "Network", rows);
      }
    }
  }

  private static void compare(
      ParameterStore store, Map<String, NamedTensor> tensors, String what, List<ReportRow> rows) {
    for (String name : store.variables().keySet()) {
      NamedTensor tensor = tensors.get(name);
      Shape expected = store.shape(name);
      if (tensor == null) {
        rows.add(
            new ReportRow(
                "-", "-", name, KeyStatus.MISSING, "variable " + expected + " of the " + what));
      } else if (!expected.equals(Shape.of(tensor.shape()))) {
        rows.add(
            new ReportRow(
                "-",
                Arrays.toString(tensor.shape()),
                name,
                KeyStatus.SHAPE_MISMATCH,
                "the " + what + " variable has shape " + expected));
      }
    }
    for (String name : tensors.keySet()) {
      if (!store.variables().containsKey(name)) {
        rows.add(
            new ReportRow(
                "-",
                Arrays.toString(tensors.get(name).shape()),
                name,
                KeyStatus.UNRECOGNIZED,
                "converted, but the " + what + " has no such variable"));
      }
    }
  }

  private static int vocabularySize(ModelAssembly.Result model) {
    return ((ImportedLayer.Embedding) model.layers().get(0)).vocabularySize();
  }

  private static String shape(TensorBundleReader reader, String key) {
    return reader.entry(key).map(EntryInfo::shapeString).orElse("-");
  }

  private static void writeFolder(
      Path folder, ModelAssembly.Result model, Options options, List<ReportRow> rows)
      throws IOException {
    Path checkpoint = folder.resolve(ModelFiles.CHECKPOINT);
    Files.createDirectories(checkpoint);
    List<NamedTensor> tensors = model.tensors().stream().map(TargetTensor::value).toList();
    BundleFiles.write(checkpoint.resolve(Checkpoints.PREFIX).toString(), tensors);
    if (model.config().isPresent()) {
      Files.writeString(
          folder.resolve(ModelFiles.CONFIG),
          TextFormat.printer().printToString(model.config().get()),
          StandardCharsets.UTF_8);
      writeVocabulary(folder.resolve(ModelFiles.VOCABULARY), vocabularySize(model), options);
    }
    Files.writeString(folder.resolve(LAYERS_FILE), layersText(model), StandardCharsets.UTF_8);
    Files.writeString(
        folder.resolve(REPORT_FILE), ImportReport.table(rows), StandardCharsets.UTF_8);
  }

  /**
   * Writes the vocabulary: a copy of {@code options.vocabulary()}, or the placeholder tokens {@code
   * <pad>}, {@code <unk>}, {@code id_2}, ..., one per embedding row.
   */
  private static void writeVocabulary(Path file, int size, Options options) throws IOException {
    List<String> tokens;
    if (options.vocabulary() != null) {
      tokens = Vocabulary.load(options.vocabulary()).tokens();
      if (tokens.size() != size) {
        throw new IllegalArgumentException(
            "--vocab "
                + options.vocabulary()
                + " must have one token per embedding row ("
                + size
                + "), got "
                + tokens.size());
      }
    } else {
      tokens = new ArrayList<>();
      tokens.add(Vocabulary.PAD_TOKEN);
      tokens.add(Vocabulary.UNK_TOKEN);
      for (int id = 2; id < size; id++) {
        tokens.add("id_" + id);
      }
      tokens = tokens.subList(0, Math.min(size, tokens.size()));
    }
    Files.writeString(file, String.join("\n", tokens) + "\n", StandardCharsets.UTF_8);
  }

  private static String layersText(ModelAssembly.Result model) {
    StringBuilder text = new StringBuilder();
    text.append("# rnnkit scope, layer, sizes; written by rnnkit import\n");
    for (int i = 0; i < model.layers().size(); i++) {
      ImportedLayer layer = model.layers().get(i);
      text.append(model.scopes().get(i)).append('\t');
      if (layer instanceof ImportedLayer.Embedding embedding) {
        text.append("embedding vocabulary=")
            .append(embedding.vocabularySize())
            .append(" size=")
            .append(embedding.embeddingSize());
      } else if (layer instanceof ImportedLayer.Recurrent recurrent) {
        CellWeights cell = recurrent.forward();
        text.append(cell.cell().layerName())
            .append(" input=")
            .append(cell.inputSize())
            .append(" units=")
            .append(cell.units())
            .append(" bidirectional=")
            .append(recurrent.bidirectional())
            .append(" return_sequences=")
            .append(recurrent.returnSequences());
        if (cell.cell() == io.rnnkit.nn.CellType.GRU) {
          text.append(" reset_after=").append(cell.resetAfter());
        }
      } else {
        ImportedLayer.Dense dense = (ImportedLayer.Dense) layer;
        text.append("dense input=")
            .append(dense.inputSize())
            .append(" units=")
            .append(dense.outputSize())
            .append(" activation=")
            .append(dense.activationKnown() ? dense.activation().kerasName() : "unknown");
      }
      text.append(" source=").append(layer.source()).append('\n');
    }
    return text.toString();
  }

  private static Verification verify(
      Path folder, ModelAssembly.Result model, Options options, List<ReportRow> rows)
      throws ImportException {
    String prefix = folder.resolve(ModelFiles.CHECKPOINT).resolve(Checkpoints.PREFIX).toString();
    Verification outcome;
    try {
      outcome = SavedModelVerifier.verify(options.source(), model, prefix, options.seed());
    } catch (IllegalArgumentException e) {
      throw new ImportException(e.getMessage(), rows, e);
    }
    if (!(outcome.maxDifference() <= VERIFY_TOLERANCE)) {
      throw new ImportException(
          String.format(
              "verification failed: output %s of the SavedModel and of the rebuilt rnnkit model"
                  + " differ by up to %.3g on a random batch %s, above the tolerance %.0e; no"
                  + " model folder was written",
              outcome.outputName(),
              outcome.maxDifference(),
              Arrays.toString(outcome.inputShape()),
              VERIFY_TOLERANCE),
          rows,
          null);
    }
    return outcome;
  }
}
