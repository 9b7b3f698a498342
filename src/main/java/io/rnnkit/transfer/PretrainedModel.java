package io.rnnkit.transfer;

import com.google.protobuf.TextFormat;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.data.Vocabulary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A pretrained model on disk: the prefix of its tensor bundle, its vocabulary, and its model config
 * where one is stored.
 *
 * @param prefix bundle prefix, the path of {@code .index} without the extension
 * @param vocabulary the vocabulary its embedding rows follow
 * @param config its model config, or {@code null} where none is stored next to the bundle
 */
public record PretrainedModel(Path prefix, Vocabulary vocabulary, ModelConfig config) {

  /**
   * Finds the pretrained model at {@code path}, which may be a folder written by {@code rnnkit
   * pretrain} ({@code checkpoint/variables.index}, {@code vocab.txt}, {@code model_config.pbtxt}),
   * a SavedModel ({@code variables/variables.index}, {@code assets/vocab.txt}), a checkpoint folder
   * ({@code variables.index}, vocabulary in the folder or its parent) or a bundle prefix ({@code
   * PATH.index}, vocabulary next to it).
   */
  public static PretrainedModel resolve(Path path) {
    Path folder;
    Path prefix;
    if (Files.isRegularFile(path.resolve("checkpoint/variables.index"))) {
      folder = path;
      prefix = path.resolve("checkpoint/variables");
    } else if (Files.isRegularFile(path.resolve("variables/variables.index"))) {
      folder = path.resolve("assets");
      prefix = path.resolve("variables/variables");
    } else if (Files.isRegularFile(path.resolve("variables.index"))) {
      folder = Files.isRegularFile(path.resolve("vocab.txt")) ? path : path.getParent();
      prefix = path.resolve("variables");
    } else if (Files.isRegularFile(path.resolveSibling(path.getFileName() + ".index"))) {
      folder = path.toAbsolutePath().getParent();
      prefix = path;
    } else {
      throw new IllegalArgumentException(
          "no pretrained model at "
              + path
              + ": expected a folder written by 'rnnkit pretrain' (checkpoint/variables.index),"
              + " a SavedModel (variables/variables.index), a checkpoint folder (variables.index)"
              + " or a checkpoint prefix (PATH.index)");
    }
    Path vocabularyFile = folder == null ? null : folder.resolve("vocab.txt");
    if (vocabularyFile == null || !Files.isRegularFile(vocabularyFile)) {
      throw new IllegalArgumentException(
          "no vocab.txt for the pretrained model at "
              + path
              + "; put the vocabulary its embedding was trained with next to the checkpoint");
    }
    try {
      Vocabulary vocabulary = Vocabulary.load(vocabularyFile);
      Path configFile = folder.resolve("model_config.pbtxt");
      ModelConfig config = null;
      if (Files.isRegularFile(configFile)) {
        ModelConfig.Builder builder = ModelConfig.newBuilder();
        TextFormat.merge(Files.readString(configFile, StandardCharsets.UTF_8), builder);
        config = builder.build();
      }
      return new PretrainedModel(prefix, vocabulary, config);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to read the pretrained model at " + path, e);
    }
  }
}
