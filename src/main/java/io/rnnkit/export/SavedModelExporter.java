package io.rnnkit.export;

import com.google.protobuf.TextFormat;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.RecurrentKernel;
import io.rnnkit.config.TaskKind;
import io.rnnkit.data.UnknownWordClasses;
import io.rnnkit.data.Vocabulary;
import io.rnnkit.model.Network;
import io.rnnkit.nn.ParameterStore;
import io.rnnkit.train.Checkpoints;
import io.rnnkit.train.ModelFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.HashTable;
import org.tensorflow.op.core.LookupTableImport;
import org.tensorflow.proto.AssetFileDef;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Exports a trained model as a SavedModel in the folder layout TensorFlow Serving watches: {@code
 * <base>/<version>/saved_model.pb}, {@code variables/}, {@code assets/}. Tag {@code serve}; every
 * signature has method {@code tensorflow/serving/predict}. The aliases are in {@link ServingNames}.
 *
 * <p>Signature {@code serving_default} of every task has inputs {@code tokens} (string {@code [B,
 * T]}, padded with {@code ""}) and {@code lengths} (int32 {@code [B]}, optional). Its outputs:
 *
 * <ul>
 *   <li>classifier: {@code probabilities} (float {@code [B, C]}), {@code label} (string {@code
 *       [B]}), {@code label_id} (int64 {@code [B]});
 *   <li>tagger: {@code tags} (string {@code [B, T']}, {@code ""} at padding), {@code
 *       tag_probabilities} (float {@code [B, T', K]}, 0 at padding);
 *   <li>language model: {@code log_probabilities} (float {@code [B, T', V]}) and {@code
 *       log_likelihood} (float {@code [B]}), see {@link ServingNames#LOG_LIKELIHOOD}.
 * </ul>
 *
 * <p>{@code T' = min(T, max_length)}: rows longer than the model's {@code max_length} are truncated
 * to it inside the graph. Tokens not in the vocabulary map to {@code <unk>}, {@code ""} to padding.
 * When {@code lengths} is not fed, the graph counts each row's non-empty tokens. The signature
 * lists the default value {@code [-1]} for {@code lengths}, so TensorFlow Serving versions that
 * read {@code SignatureDef.defaults} accept requests without it; older versions require every
 * input.
 *
 * <p>A language model also gets signature {@code step}: inputs {@code token} (string {@code [B]})
 * and {@code state} (float {@code [B, P*H]}, zeros to start a stream), outputs {@code
 * log_probabilities} (float {@code [B, V]}) of the token after {@code token} and the next {@code
 * state}. A stream whose token is {@code ""} keeps its state.
 *
 * <p>The export is written to a temporary sibling folder, loaded back and run once to check that
 * its table initializers run, then renamed into place. An existing version is never overwritten.
 */
public final class SavedModelExporter {

  private static final Logger log = LoggerFactory.getLogger(SavedModelExporter.class);

  /** Name of the op that initializes the lookup tables; registered as the SavedModel's init op. */
  static final String INIT_TABLES = "init_tables";

  static final String INIT_OP_KEY = "__saved_model_init_op";
  static final String PREDICT_METHOD = ServingNames.PREDICT_METHOD;
  static final String VOCABULARY_ASSET = "vocab.txt";
  static final String LABELS_ASSET = "labels.txt";
  static final String TAGS_ASSET = "tags.txt";
  static final String CONFIG_ASSET = "model_config.pbtxt";

  private SavedModelExporter() {}

  /**
   * Exports a classifier.
   *
   * @param config the classifier's model configuration
   * @param vocabulary tokens in id order, starting with {@code <pad>} and {@code <unk>}
   * @param labels label names in class-id order
   * @param checkpoint checkpoint folder holding the trained variables
   * @param baseDir the model's folder, for example {@code savedmodels/brown-genre}
   * @param version positive version number, the name of the folder created under {@code baseDir}
   * @return the version folder
   */
  public static Path exportClassifier(
      ModelConfig config,
      List<String> vocabulary,
      List<String> labels,
      Path checkpoint,
      Path baseDir,
      long version) {
    requireTask(config, TaskKind.CLASSIFIER);
    return export(config, vocabulary, labels, checkpoint, baseDir, version);
  }

  /**
   * Exports a tagger; the arguments are those of {@link #exportClassifier}, with {@code tags} the
   * tag names in tag-id order.
   */
  public static Path exportTagger(
      ModelConfig config,
      List<String> vocabulary,
      List<String> tags,
      Path checkpoint,
      Path baseDir,
      long version) {
    requireTask(config, TaskKind.TAGGER);
    return export(config, vocabulary, tags, checkpoint, baseDir, version);
  }

  /** Exports a language model; the arguments are those of {@link #exportClassifier}. */
  public static Path exportLanguageModel(
      ModelConfig config, List<String> vocabulary, Path checkpoint, Path baseDir, long version) {
    requireTask(config, TaskKind.LANGUAGE_MODEL);
    return export(config, vocabulary, List.of(), checkpoint, baseDir, version);
  }

  /**
   * Exports a model folder in the {@link ModelFiles} layout ({@code checkpoint/}, {@code
   * vocab.txt}, {@code model_config.pbtxt}), such as one written by {@code LanguageModelTask.save}.
   * A classifier folder also needs {@code labels.txt} and a tagger folder {@code tags.txt}, one
   * name per line in id order.
   */
  public static Path exportModelFolder(Path modelFolder, Path baseDir, long version) {
    ModelConfig config = ModelFiles.readConfig(modelFolder);
    Vocabulary vocabulary = ModelFiles.readVocabulary(modelFolder);
    Path checkpoint = ModelFiles.checkpoint(modelFolder);
    return switch (config.getTask()) {
      case LANGUAGE_MODEL ->
          exportLanguageModel(config, vocabulary.tokens(), checkpoint, baseDir, version);
      case CLASSIFIER ->
          exportClassifier(
              config,
              vocabulary.tokens(),
              readNames(modelFolder, LABELS_ASSET),
              checkpoint,
              baseDir,
              version);
      case TAGGER ->
          exportTagger(
              config,
              vocabulary.tokens(),
              readNames(modelFolder, TAGS_ASSET),
              checkpoint,
              baseDir,
              version);
      default ->
          throw new IllegalArgumentException(
              "task in "
                  + modelFolder.resolve(ModelFiles.CONFIG)
                  + " must be LANGUAGE_MODEL, CLASSIFIER or TAGGER, got "
                  + config.getTask());
    };
  }

  private static List<String> readNames(Path modelFolder, String file) {
    Path path = modelFolder.resolve(file);
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(
          "no " + file + " in " + modelFolder + "; write one name per line, in id order");
    }
    try {
      return Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to read " + path, e);
    }
  }

  private static void requireTask(ModelConfig config, TaskKind task) {
    if (config.getTask() != task) {
      throw new IllegalArgumentException(
          "config task must be " + task + ", got " + config.getTask());
    }
  }

  private static Path export(
      ModelConfig config,
      List<String> vocabulary,
      List<String> classNames,
      Path checkpoint,
      Path baseDir,
      long version) {
    if (version <= 0) {
      throw new IllegalArgumentException("version must be positive, got " + version);
    }
    if (config.getTask() != TaskKind.LANGUAGE_MODEL
        && classNames.size() != config.getNumClasses()) {
      throw new IllegalArgumentException(
          "the model has "
              + config.getNumClasses()
              + " classes, got "
              + classNames.size()
              + " "
              + classAsset(config.getTask()).replace(".txt", ""));
    }
    Path target = baseDir.resolve(Long.toString(version));
    if (Files.exists(target)) {
      throw new IllegalStateException(
          "export folder " + target + " already exists; choose another version");
    }
    Checkpoints.requireCheckpoint(checkpoint);
    Path temporary = baseDir.resolve("." + version + ".tmp-" + ProcessHandle.current().pid());
    try {
      Files.createDirectories(baseDir);
      Checkpoints.deleteRecursively(temporary);
      write(config, vocabulary, classNames, checkpoint, temporary);
      ExportedModels.verifyLoads(temporary);
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
      log.info("SavedModel written to {}", target);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("failed to export the model to " + target, e);
    } finally {
      try {
        Checkpoints.deleteRecursively(temporary);
      } catch (IOException e) {
        log.warn("Could not delete temporary export folder {}: {}", temporary, e.toString());
      }
    }
  }

  private static String classAsset(TaskKind task) {
    return task == TaskKind.TAGGER ? TAGS_ASSET : LABELS_ASSET;
  }

  private static void write(
      ModelConfig config,
      List<String> vocabulary,
      List<String> classNames,
      Path checkpoint,
      Path folder)
      throws IOException {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      ParameterStore store = ParameterStore.forRestore(tf);
      // Exports always build the portable unrolled graph, whatever kernel trained the weights.
      // The auxiliary lm_head serves no signature, so the export leaves it out.
      ModelConfig served = config.toBuilder().clearLmLossWeight().build();
      ModelConfig portable = served.toBuilder().setKernel(RecurrentKernel.UNROLLED).build();
      Network network = Network.create(store, portable, vocabulary.size());
      Tables tables = lookupTables(tf, vocabulary);
      ServingGraphs graphs = new ServingGraphs(tf, network, tables, vocabulary.size());
      List<Signature> signatures =
          switch (config.getTask()) {
            case CLASSIFIER -> graphs.classifier(classNames);
            case TAGGER -> graphs.tagger(classNames);
            default -> graphs.languageModel();
          };
      Map<String, List<String>> assetFiles = new LinkedHashMap<>();
      assetFiles.put(VOCABULARY_ASSET, vocabulary);
      if (config.getTask() != TaskKind.LANGUAGE_MODEL) {
        assetFiles.put(classAsset(config.getTask()), classNames);
      }
      assetFiles.put(CONFIG_ASSET, List.of(TextFormat.printer().printToString(served)));
      List<AssetFileDef> assets = assetTensors(tf, assetFiles.keySet());
      try (Session session = new Session(graph)) {
        session.restore(checkpoint.resolve(Checkpoints.PREFIX).toString());
        session.run(INIT_TABLES);
        SavedModelBundle.Exporter exporter =
            SavedModelBundle.exporter(folder.toString()).withSession(session);
        signatures.forEach(exporter::withSignature);
        exporter.export();
      }
      registerInitOpAndAssets(folder, assets);
      writeAssets(folder, assetFiles);
    }
  }

  /** Builds the vocabulary table and the {@link #INIT_TABLES} op that fills it. */
  static Tables lookupTables(Ops tf, List<String> vocabulary) {
    List<String> keys = new ArrayList<>(vocabulary);
    keys.add("");
    long[] values = new long[keys.size()];
    for (int i = 0; i < vocabulary.size(); i++) {
      values[i] = i;
    }
    values[vocabulary.size()] = 0;
    HashTable table = tf.withName("vocabulary_table").hashTable(TString.class, TInt64.class);
    LookupTableImport fill =
        tf.lookupTableImport(
            table,
            tf.constant(NdArrays.vectorOfObjects(keys.toArray(String[]::new))),
            tf.constant(values));
    tf.withControlDependencies(List.of(fill)).withName(INIT_TABLES).noOp();
    boolean classes = vocabulary.stream().anyMatch(UnknownWordClasses::isClassToken);
    return new Tables(table, classes);
  }

  /** Pads {@code ids [B, T]} with 0 or cuts them to exactly {@code length} columns. */
  static Operand<TInt32> fixLength(Ops tf, Operand<TInt32> ids, int length) {
    Operand<TInt32> columns = tf.gather(tf.shape(ids), tf.constant(1), tf.constant(0));
    Operand<TInt32> missing =
        tf.math.maximum(tf.math.sub(tf.constant(length), columns), tf.constant(0));
    Operand<TInt32> paddings =
        tf.reshape(
            tf.stack(List.of(tf.constant(0), tf.constant(0), tf.constant(0), missing)),
            tf.constant(new int[] {2, 2}));
    Operand<TInt32> padded = tf.pad(ids, paddings, tf.constant(0));
    return tf.slice(padded, tf.constant(new int[] {0, 0}), tf.constant(new int[] {-1, length}));
  }

  private static List<AssetFileDef> assetTensors(Ops tf, Iterable<String> files) {
    List<AssetFileDef> assets = new ArrayList<>();
    for (String file : files) {
      String opName = "asset_" + file.replace('.', '_');
      tf.withName(opName).constant(file);
      assets.add(
          AssetFileDef.newBuilder()
              .setFilename(file)
              .setTensorInfo(TensorInfo.newBuilder().setName(opName + ":0"))
              .build());
    }
    return assets;
  }

  /**
   * Registers {@link #INIT_TABLES} as the SavedModel's init op, lists the asset files and adds the
   * default value of every {@code lengths} input. TensorFlow Java 1.1.0's exporter writes none of
   * these, and without the init op the tables stay empty after loading.
   */
  static void registerInitOpAndAssets(Path folder, List<AssetFileDef> assets) throws IOException {
    Path file = folder.resolve("saved_model.pb");
    SavedModel model = SavedModel.parseFrom(Files.readAllBytes(file));
    MetaGraphDef.Builder meta = model.getMetaGraphs(0).toBuilder();
    for (Map.Entry<String, SignatureDef> entry : Map.copyOf(meta.getSignatureDefMap()).entrySet()) {
      if (entry.getValue().containsInputs(ServingNames.LENGTHS)) {
        meta.putSignatureDef(
            entry.getKey(),
            entry.getValue().toBuilder().putDefaults(ServingNames.LENGTHS, deriveLength()).build());
      }
    }
    meta.putSignatureDef(
        INIT_OP_KEY,
        SignatureDef.newBuilder()
            .putOutputs(INIT_OP_KEY, TensorInfo.newBuilder().setName(INIT_TABLES).build())
            .build());
    CollectionDef.NodeList.Builder paths = CollectionDef.NodeList.newBuilder();
    for (AssetFileDef asset : assets) {
      meta.addAssetFileDef(asset);
      paths.addValue(asset.getTensorInfo().getName());
    }
    meta.putCollectionDef("asset_filepaths", CollectionDef.newBuilder().setNodeList(paths).build());
    Files.write(file, model.toBuilder().setMetaGraphs(0, meta).build().toByteArray());
  }

  private static TensorProto deriveLength() {
    return TensorProto.newBuilder()
        .setDtype(DataType.DT_INT32)
        .setTensorShape(
            TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
        .addIntVal(ServingGraphs.DERIVE_LENGTH)
        .build();
  }

  private static void writeAssets(Path folder, Map<String, List<String>> files) throws IOException {
    Path assets = Files.createDirectories(folder.resolve("assets"));
    for (Map.Entry<String, List<String>> file : files.entrySet()) {
      Files.write(assets.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
    }
  }

  /**
   * The vocabulary table of an export graph.
   *
   * @param unknownWordClasses whether the vocabulary contains unknown-word classes, which the
   *     lookup then tries for tokens missing from it
   */
  record Tables(HashTable vocabulary, boolean unknownWordClasses) {

    /**
     * Maps string tokens to int32 ids as {@link Vocabulary#id} does: an unknown token gets its most
     * specific unknown-word class in the vocabulary, else {@code <unk>} = 1. The one exception is
     * the empty string, which marks padding here and maps to {@code <pad>} = 0.
     */
    Operand<TInt32> lookup(Ops tf, Operand<TString> tokens) {
      Operand<TInt64> missing = tf.constant(-1L);
      Operand<TInt64> ids = tf.lookupTableFind(vocabulary, tokens, missing);
      if (unknownWordClasses) {
        for (Operand<TString> wordClass : UnknownWordClassOps.classesOf(tf, tokens)) {
          ids =
              tf.select(
                  tf.math.less(ids, tf.constant(0L)),
                  tf.lookupTableFind(vocabulary, wordClass, missing),
                  ids);
        }
      }
      Operand<TInt64> unknown = tf.constant((long) Vocabulary.UNK_ID);
      ids = tf.select(tf.math.less(ids, tf.constant(0L)), unknown, ids);
      return tf.dtypes.cast(ids, TInt32.class);
    }
  }
}
