package io.rnnkit.export;

import com.google.protobuf.TextFormat;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/** Reads what an exported model carries besides its graph: config, vocabulary and names. */
public final class ExportedModels {
  private ExportedModels() {}

  /** Returns the model configuration stored in {@code assets/model_config.pbtxt}. */
  public static ModelConfig config(Path modelDir) {
    Path file = asset(modelDir, SavedModelExporter.CONFIG_ASSET);
    try {
      ModelConfig.Builder builder = ModelConfig.newBuilder();
      TextFormat.merge(Files.readString(file, StandardCharsets.UTF_8), builder);
      return builder.build();
    } catch (IOException e) {
      throw new UncheckedIOException("failed to read " + file, e);
    }
  }

  /** Returns the label names stored in {@code assets/labels.txt}, in class-id order. */
  public static List<String> labels(Path modelDir) {
    return lines(asset(modelDir, SavedModelExporter.LABELS_ASSET));
  }

  /** Returns the tag names stored in {@code assets/tags.txt}, in tag-id order. */
  public static List<String> tags(Path modelDir) {
    return lines(asset(modelDir, SavedModelExporter.TAGS_ASSET));
  }

  /** Returns the vocabulary stored in {@code assets/vocab.txt}, in id order. */
  public static List<String> vocabulary(Path modelDir) {
    return lines(asset(modelDir, SavedModelExporter.VOCABULARY_ASSET));
  }

  static void requireTask(Path modelDir, ModelConfig config, TaskKind task) {
    if (config.getTask() != task) {
      throw new IllegalArgumentException(
          "the model in "
              + modelDir
              + " must be a "
              + task
              + ", got a "
              + config.getTask()
              + "; use the predictor of that task");
    }
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to read " + file, e);
    }
  }

  private static Path asset(Path modelDir, String name) {
    if (!Files.isRegularFile(modelDir.resolve("saved_model.pb"))) {
      throw new IllegalArgumentException(
          "no SavedModel in "
              + modelDir
              + ": saved_model.pb is missing; pass a version folder"
              + " such as savedmodels/NAME/1");
    }
    Path file = modelDir.resolve("assets").resolve(name);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "SavedModel " + modelDir + " has no assets/" + name + "; it was not written by rnnkit");
    }
    return file;
  }

  /**
   * Loads the SavedModel in {@code modelDir} and runs one row through every signature, with {@code
   * lengths} left to its default, so that an export whose tables are not initialized on load fails
   * before it is published.
   */
  static void verifyLoads(Path modelDir) {
    try (ServingModel model = ServingModel.load(modelDir)) {
      for (String key : model.signatureKeys()) {
        runOneRow(model, key);
      }
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "the exported model in " + modelDir + " does not run after loading: " + e.getMessage(),
          e);
    }
  }

  private static void runOneRow(ServingModel model, String key) {
    if (key.equals(ServingNames.STEP)) {
      long width =
          model
              .signature(key)
              .getInputsOrThrow(ServingNames.STATE)
              .getTensorShape()
              .getDim(1)
              .getSize();
      try (TString token = TString.vectorOf("the");
          TFloat32 state = TFloat32.tensorOf(NdArrays.ofFloats(Shape.of(1, width)));
          ServingModel.Outputs outputs =
              model.run(key, Map.of(ServingNames.TOKEN, token, ServingNames.STATE, state))) {
        return;
      }
    }
    try (TString tokens =
            TString.tensorOf(
                NdArrays.ofObjects(String.class, Shape.of(1, 1)).setObject("the", 0, 0));
        ServingModel.Outputs outputs = model.run(key, Map.of(ServingNames.TOKENS, tokens))) {
      return;
    }
  }
}
