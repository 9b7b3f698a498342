package io.rnnkit.model;

import io.rnnkit.config.CellKind;
import io.rnnkit.config.MatmulPrecision;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.Pooling;
import io.rnnkit.config.RecurrentKernel;
import io.rnnkit.config.TaskKind;

/** Defaults and validation of {@link ModelConfig}; every message names the field and value. */
public final class ModelConfigs {
  private ModelConfigs() {}

  /** Returns {@code config} with unset fields replaced by their defaults. */
  public static ModelConfig withDefaults(ModelConfig config) {
    ModelConfig.Builder builder = config.toBuilder();
    if (config.getCell() == CellKind.CELL_KIND_UNSPECIFIED) {
      builder.setCell(CellKind.LSTM);
    }
    if (config.getEmbeddingSize() == 0) {
      builder.setEmbeddingSize(128);
    }
    if (config.getHiddenSize() == 0) {
      builder.setHiddenSize(256);
    }
    if (config.getNumLayers() == 0) {
      builder.setNumLayers(1);
    }
    if (config.getPooling() == Pooling.POOLING_UNSPECIFIED) {
      builder.setPooling(Pooling.CONCAT_POOLING);
    }
    if (config.getMaxLength() == 0) {
      builder.setMaxLength(64);
    }
    return builder.build();
  }

  /** Checks every field and returns {@code config}; throws IllegalArgumentException otherwise. */
  public static ModelConfig validate(ModelConfig config) {
    if (config.getTask() == TaskKind.TASK_KIND_UNSPECIFIED
        || config.getTask() == TaskKind.UNRECOGNIZED) {
      throw new IllegalArgumentException(
          "task must be LANGUAGE_MODEL, CLASSIFIER or TAGGER, got " + config.getTask());
    }
    positive("embedding_size", config.getEmbeddingSize());
    positive("hidden_size", config.getHiddenSize());
    positive("num_layers", config.getNumLayers());
    positive("max_length", config.getMaxLength());
    rate("dropout", config.getDropout());
    rate("recurrent_dropout", config.getRecurrentDropout());
    if (config.getTask() != TaskKind.LANGUAGE_MODEL && config.getNumClasses() < 2) {
      throw new IllegalArgumentException(
          "num_classes must be at least 2 for a "
              + config.getTask()
              + ", got "
              + config.getNumClasses());
    }
    if (config.getTask() == TaskKind.LANGUAGE_MODEL && config.getBidirectional()) {
      throw new IllegalArgumentException(
          "bidirectional must be false for a LANGUAGE_MODEL, because the backward direction"
              + " would read the tokens it has to predict");
    }
    if (config.getHeadHiddenSize() < 0) {
      throw new IllegalArgumentException(
          "head_hidden_size must be 0 (no hidden layer) or positive, got "
              + config.getHeadHiddenSize());
    }
    if (config.getHeadHiddenSize() > 0 && config.getTask() != TaskKind.CLASSIFIER) {
      throw new IllegalArgumentException(
          "head_hidden_size applies to a CLASSIFIER only, got "
              + config.getHeadHiddenSize()
              + " for a "
              + config.getTask()
              + "; set it to 0");
    }
    float lmLossWeight = config.getLmLossWeight();
    if (!(lmLossWeight >= 0f) || Float.isInfinite(lmLossWeight)) {
      throw new IllegalArgumentException(
          "lm_loss_weight must be 0 (no auxiliary loss) or positive and finite, got "
              + lmLossWeight);
    }
    if (lmLossWeight > 0f && config.getTask() != TaskKind.CLASSIFIER) {
      throw new IllegalArgumentException(
          "lm_loss_weight applies to a CLASSIFIER only, got "
              + lmLossWeight
              + " for a "
              + config.getTask()
              + "; set it to 0");
    }
    if (config.getReversed() && config.getTask() != TaskKind.LANGUAGE_MODEL) {
      throw new IllegalArgumentException(
          "reversed applies to a LANGUAGE_MODEL only, got true for a "
              + config.getTask()
              + "; set it to false");
    }
    checkMatmulPrecision(config);
    return config;
  }

  private static void checkMatmulPrecision(ModelConfig config) {
    MatmulPrecision precision = config.getMatmulPrecision();
    if (precision == MatmulPrecision.UNRECOGNIZED) {
      throw new IllegalArgumentException(
          "matmul_precision must be FLOAT32 or BFLOAT16, got the unknown enum number "
              + config.getMatmulPrecisionValue());
    }
    if (precision == MatmulPrecision.BFLOAT16 && config.getKernel() == RecurrentKernel.FUSED) {
      throw new IllegalArgumentException(
          "kernel must be UNROLLED or RECURRENT_KERNEL_AUTO with matmul_precision BFLOAT16, got"
              + " FUSED, because the fused BlockLSTMV2 and GRUBlockCell ops have no bfloat16 kernel;"
              + " set kernel to"
              + " UNROLLED (--kernel unrolled) or matmul_precision to FLOAT32"
              + " (--matmul-precision float32)");
    }
  }

  private static void positive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be positive, got " + value);
    }
  }

  private static void rate(String field, float value) {
    if (!(value >= 0f && value < 1f)) {
      throw new IllegalArgumentException(field + " must be in [0, 1), got " + value);
    }
  }
}
