package io.rnnkit.train;

import com.google.protobuf.TextFormat;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.data.Vocabulary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Layout of a saved model folder: {@code checkpoint/} (tensor bundle), {@code vocab.txt} and {@code
 * model_config.pbtxt}, enough to rebuild the graph and restore its weights.
 */
public final class ModelFiles {

  public static final String CHECKPOINT = "checkpoint";
  public static final String VOCABULARY = "vocab.txt";
  public static final String CONFIG = "model_config.pbtxt";

  private ModelFiles() {}

  /** Writes the vocabulary and config into {@code folder}; the checkpoint is written apart. */
  public static void writeMetadata(Path folder, Vocabulary vocabulary, ModelConfig config) {
    try {
      Files.createDirectories(folder);
      vocabulary.save(folder.resolve(VOCABULARY));
      Path temporary = folder.resolve(CONFIG + ".tmp");
      Files.writeString(
          temporary, TextFormat.printer().printToString(config), StandardCharsets.UTF_8);
      Files.move(
          temporary,
          folder.resolve(CONFIG),
          java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to write model files to " + folder, e);
    }
  }

  /** Reads {@code model_config.pbtxt} of a saved model folder. */
  public static ModelConfig readConfig(Path folder) {
    Path file = require(folder, CONFIG);
    try {
      ModelConfig.Builder builder = ModelConfig.newBuilder();
      TextFormat.merge(Files.readString(file, StandardCharsets.UTF_8), builder);
      return builder.build();
    } catch (IOException e) {
      throw new UncheckedIOException("failed to read " + file, e);
    }
  }

  /** Reads {@code vocab.txt} of a saved model folder. */
  public static Vocabulary readVocabulary(Path folder) {
    Path file = require(folder, VOCABULARY);
    try {
      return Vocabulary.load(file);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to read " + file, e);
    }
  }

  /** Returns the checkpoint folder of a saved model folder, checking that it exists. */
  public static Path checkpoint(Path folder) {
    Path checkpoint = folder.resolve(CHECKPOINT);
    Checkpoints.requireCheckpoint(checkpoint);
    return checkpoint;
  }

  private static Path require(Path folder, String name) {
    Path file = folder.resolve(name);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "no "
              + name
              + " in "
              + folder
              + "; pass a folder written by 'rnnkit pretrain' or"
              + " LanguageModelTask.save");
    }
    return file;
  }
}
