package io.rnnkit.export;

import com.google.protobuf.TextFormat;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.RecurrentKernel;
import io.rnnkit.model.Network;
import io.rnnkit.nn.ParameterStore;
import io.rnnkit.train.Checkpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Constant;
import org.tensorflow.op.core.HashTable;
import org.tensorflow.op.core.LookupTableImport;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.AssetFileDef;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Exports a trained classifier as a SavedModel in the folder layout TensorFlow Serving watches:
 * {@code <base>/<version>/saved_model.pb}, {@code variables/}, {@code assets/}.
 *
 * <p>Signature {@code serving_default} (method {@code tensorflow/serving/predict}):
 *
 * <ul>
 *   <li>inputs {@code tokens} (string {@code [B, T]}, padded with {@code ""}) and {@code lengths}
 *       (int32 {@code [B]});
 *   <li>outputs {@code probabilities} (float {@code [B, C]}), {@code label} (string {@code [B]})
 *       and {@code label_id} (int64 {@code [B]}).
 * </ul>
 *
 * <p>Rows longer than the model's {@code max_length} are truncated to it inside the graph. Tokens
 * not in the vocabulary map to {@code <unk>}, {@code ""} maps to padding.
 *
 * <p>The export is written to a temporary sibling folder, loaded back and run once to check that
 * its table initializers run, then renamed into place. An existing version is never overwritten.
 */
public final class SavedModelExporter {

  private static final Logger log = LoggerFactory.getLogger(SavedModelExporter.class);

  /** Name of the op that initializes the lookup tables; registered as the SavedModel's init op. */
  static final String INIT_TABLES = "init_tables";

  static final String INIT_OP_KEY = "__saved_model_init_op";
  static final String PREDICT_METHOD = "tensorflow/serving/predict";
  static final String VOCABULARY_ASSET = "vocab.txt";
  static final String LABELS_ASSET = "labels.txt";
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
    if (version <= 0) {
      throw new IllegalArgumentException("version must be positive, got " + version);
    }
    if (labels.size() != config.getNumClasses()) {
      throw new IllegalArgumentException(
          "the model has " + config.getNumClasses() + " classes, got " + labels.size() + " labels");
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
      writeClassifier(config, vocabulary, labels, checkpoint, temporary);
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

  private static void writeClassifier(
      ModelConfig config,
      List<String> vocabulary,
      List<String> labels,
      Path checkpoint,
      Path folder)
      throws IOException {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      ParameterStore store = ParameterStore.forRestore(tf);
      // Exports always build the portable unrolled graph, whatever kernel trained the weights.
      ModelConfig portable = config.toBuilder().setKernel(RecurrentKernel.UNROLLED).build();
      Network network = Network.create(store, portable, vocabulary.size());
      int maxLength = config.getMaxLength();

      Placeholder<TString> tokens =
          tf.withName("tokens").placeholder(TString.class, Placeholder.shape(Shape.of(-1, -1)));
      Placeholder<TInt32> lengths =
          tf.withName("lengths").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Tables tables = lookupTables(tf, vocabulary);
      Operand<TInt32> ids = fixLength(tf, tables.lookup(tf, tokens), maxLength);
      Operand<TInt32> clamped =
          tf.math.minimum(tf.math.maximum(lengths, tf.constant(0)), tf.constant(maxLength));

      Network.Encoded encoded = network.encode(tf, ids, clamped, maxLength);
      Operand<TFloat32> logits =
          network.classifierLogits(tf, encoded.outputs(), clamped, maxLength);
      Operand<TFloat32> probabilities = tf.withName("probabilities").nn.softmax(logits);
      Operand<TInt64> labelId = tf.withName("label_id").math.argMax(logits, tf.constant(1));
      Constant<TString> labelNames =
          tf.constant(NdArrays.vectorOfObjects(labels.toArray(String[]::new)));
      Operand<TString> label = tf.withName("label").gather(labelNames, labelId, tf.constant(0));

      List<AssetFileDef> assets = assetTensors(tf);
      try (Session session = new Session(graph)) {
        session.restore(checkpoint.resolve(Checkpoints.PREFIX).toString());
        session.run(INIT_TABLES);
        Signature signature =
            Signature.builder(Signature.DEFAULT_KEY)
                .methodName(PREDICT_METHOD)
                .input("tokens", tokens)
                .input("lengths", lengths)
                .output("probabilities", probabilities)
                .output("label", label)
                .output("label_id", labelId)
                .build();
        SavedModelBundle.exporter(folder.toString())
            .withSession(session)
            .withSignature(signature)
            .export();
      }
      registerInitOpAndAssets(folder, assets);
      writeAssets(folder, config, vocabulary, labels);
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
    return new Tables(table);
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

  private static List<AssetFileDef> assetTensors(Ops tf) {
    List<AssetFileDef> assets = new ArrayList<>();
    for (String file : List.of(VOCABULARY_ASSET, LABELS_ASSET, CONFIG_ASSET)) {
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
   * Registers {@link #INIT_TABLES} as the SavedModel's init op and lists the asset files.
   * TensorFlow Java's exporter writes neither, and without the init op the tables stay empty after
   * loading.
   */
  static void registerInitOpAndAssets(Path folder, List<AssetFileDef> assets) throws IOException {
    Path file = folder.resolve("saved_model.pb");
    SavedModel model = SavedModel.parseFrom(Files.readAllBytes(file));
    MetaGraphDef.Builder meta = model.getMetaGraphs(0).toBuilder();
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

  private static void writeAssets(
      Path folder, ModelConfig config, List<String> vocabulary, List<String> labels)
      throws IOException {
    Path assets = Files.createDirectories(folder.resolve("assets"));
    Files.write(assets.resolve(VOCABULARY_ASSET), vocabulary, StandardCharsets.UTF_8);
    Files.write(assets.resolve(LABELS_ASSET), labels, StandardCharsets.UTF_8);
    Files.writeString(
        assets.resolve(CONFIG_ASSET),
        TextFormat.printer().printToString(config),
        StandardCharsets.UTF_8);
  }

  /** The vocabulary table of an export graph. */
  record Tables(HashTable vocabulary) {

    /** Maps string tokens to int32 ids; unknown tokens give {@code <unk>} = 1. */
    Operand<TInt32> lookup(Ops tf, Operand<TString> tokens) {
      Operand<TInt64> ids = tf.lookupTableFind(vocabulary, tokens, tf.constant(1L));
      return tf.dtypes.cast(ids, TInt32.class);
    }
  }
}
