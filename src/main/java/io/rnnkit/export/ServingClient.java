package io.rnnkit.export;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import java.nio.file.Path;

/**
 * Base of the Java clients of an exported model that read rows of tokens: the loaded SavedModel and
 * the model's {@code max_length}. Closing the client releases the native model.
 */
abstract class ServingClient implements AutoCloseable {

  final ServingModel model;
  final int maxLength;

  ServingClient(ServingModel model, int maxLength) {
    this.model = model;
    this.maxLength = maxLength;
  }

  /**
   * Reads the configuration of the SavedModel version folder {@code modelDir} and checks that it
   * was exported for {@code task}.
   */
  static ModelConfig config(Path modelDir, TaskKind task) {
    ModelConfig config = ExportedModels.config(modelDir);
    ExportedModels.requireTask(modelDir, config, task);
    return config;
  }

  @Override
  public void close() {
    model.close();
  }
}
