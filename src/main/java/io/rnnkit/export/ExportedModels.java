package io.rnnkit.export;

import com.google.protobuf.TextFormat;
import io.rnnkit.config.ModelConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads what an exported model carries besides its graph: config, vocabulary and labels. */
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

  /** Returns the vocabulary stored in {@code assets/vocab.txt}, in id order. */
  public static List<String> vocabulary(Path modelDir) {
    return lines(asset(modelDir, SavedModelExporter.VOCABULARY_ASSET));
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
   * Loads the SavedModel in {@code modelDir} and runs one row through it, so that an export whose
   * tables are not initialized on load fails before it is published.
   */
  static void verifyLoads(Path modelDir) {
    try (Predictor predictor = Predictor.loadWithoutAssets(modelDir)) {
      predictor.runRaw(List.of(List.of("the")));
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "the exported model in " + modelDir + " does not run after loading: " + e.getMessage(),
          e);
    }
  }
}
