package io.rnnkit.cli;

import com.google.protobuf.TextFormat;
import io.rnnkit.config.CellKind;
import io.rnnkit.config.DeviceKind;
import io.rnnkit.config.MatmulPrecision;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.OptimizerKind;
import io.rnnkit.config.RecurrentKernel;
import io.rnnkit.config.RunConfig;
import io.rnnkit.config.TaskKind;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.model.ModelConfigs;
import io.rnnkit.train.TrainingConfigs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Options shared by the training commands: a protobuf text-format config file, and one flag per
 * common field that overrides the file.
 */
final class ConfigOptions {

  @Option(
      names = "--config",
      description = "RunConfig in protobuf text format; flags override its fields.")
  Path config;

  @Option(names = "--cell", description = "Recurrent cell: LSTM, GRU or SIMPLE_RNN.")
  CellKind cell;

  @Option(names = "--embedding-size", description = "Embedding size E.")
  Integer embeddingSize;

  @Option(names = "--hidden-size", description = "Hidden size H of each recurrent layer.")
  Integer hiddenSize;

  @Option(names = "--layers", description = "Number of stacked recurrent layers.")
  Integer layers;

  @Option(
      names = "--max-length",
      description =
          "Longest sentence, in tokens, a classifier or tagger reads; longer ones are cut.")
  Integer maxLength;

  @Option(
      names = "--dropout",
      description = "Dropout rate on the embeddings and between recurrent layers, in [0, 1).")
  Float dropout;

  @Option(
      names = "--recurrent-dropout",
      description = "Variational dropout rate on the recurrent state, in [0, 1).")
  Float recurrentDropout;

  @Option(names = "--optimizer", description = "Optimizer: ADAM, SGD, MOMENTUM or ADAMW.")
  OptimizerKind optimizer;

  @Option(names = "--learning-rate", description = "Learning rate.")
  Float learningRate;

  @Option(names = "--clip-norm", description = "Global-norm clipping threshold; 0 disables it.")
  Float clipNorm;

  @Option(
      names = "--batch-size",
      description = "Rows per batch; for a language model, the number of truncated-BPTT lanes.")
  Integer batchSize;

  @Option(names = "--bptt-steps", description = "Truncated-BPTT window length, in tokens.")
  Integer bpttSteps;

  @Option(names = "--epochs", description = "Passes over the training data.")
  Integer epochs;

  @Option(names = "--max-steps", description = "Updates per epoch at most; 0 means no limit.")
  Integer maxSteps;

  @Option(names = "--seed", description = "Seed of initialization and data order.")
  Long seed;

  @Option(
      names = "--threads",
      description =
          "Threads of one op and of independent ops (intra and inter); 0 lets TensorFlow"
              + " choose.")
  Integer threads;

  @Option(names = "--device", description = "Device: ${COMPLETION-CANDIDATES}.")
  Device device;

  @Option(
      names = "--kernel",
      description =
          "Recurrent kernel: ${COMPLETION-CANDIDATES}. fused runs LSTM layers, and GRU layers"
              + " with gru_reset_after false, on TensorFlow's fused ops; other layers stay"
              + " unrolled. Exports always use unrolled.")
  Kernel kernel;

  @Option(
      names = "--matmul-precision",
      description =
          "Number format of the operands of the recurrent and output-layer matrix products:"
              + " ${COMPLETION-CANDIDATES}; variables, optimizer state and gradients stay"
              + " float32. bfloat16 does not work with --kernel fused.")
  Precision matmulPrecision;

  @Option(
      names = "--sampled-softmax",
      description = "Language models: sampled classes per training step; 0 uses the full softmax.")
  Integer sampledSoftmax;

  /** Values of {@code --device}. */
  enum Device {
    auto(DeviceKind.DEVICE_AUTO),
    cpu(DeviceKind.CPU),
    gpu(DeviceKind.GPU);

    final DeviceKind kind;

    Device(DeviceKind kind) {
      this.kind = kind;
    }
  }

  /** Values of {@code --kernel}. */
  enum Kernel {
    auto(RecurrentKernel.RECURRENT_KERNEL_AUTO),
    unrolled(RecurrentKernel.UNROLLED),
    fused(RecurrentKernel.FUSED);

    final RecurrentKernel kind;

    Kernel(RecurrentKernel kind) {
      this.kind = kind;
    }
  }

  /** Values of {@code --matmul-precision}. */
  enum Precision {
    float32(MatmulPrecision.FLOAT32),
    bfloat16(MatmulPrecision.BFLOAT16);

    final MatmulPrecision kind;

    Precision(MatmulPrecision kind) {
      this.kind = kind;
    }
  }

  @Option(
      names = "--buckets",
      split = ",",
      description = "Bucket upper edges, ascending, comma-separated.")
  List<Integer> buckets;

  /** Returns the config file's content with every given flag applied over it. */
  RunConfig resolve(RunConfig defaults) {
    checkFlags();
    RunConfig.Builder builder = defaults.toBuilder();
    if (config != null) {
      builder.mergeFrom(readConfig(config));
    }
    var model = builder.getModelBuilder();
    var training = builder.getTrainingBuilder();
    if (cell != null) {
      model.setCell(cell);
    }
    if (embeddingSize != null) {
      model.setEmbeddingSize(embeddingSize);
    }
    if (hiddenSize != null) {
      model.setHiddenSize(hiddenSize);
    }
    if (layers != null) {
      model.setNumLayers(layers);
    }
    if (maxLength != null) {
      model.setMaxLength(maxLength);
    }
    if (dropout != null) {
      model.setDropout(dropout);
    }
    if (recurrentDropout != null) {
      model.setRecurrentDropout(recurrentDropout);
    }
    if (optimizer != null) {
      training.setOptimizer(optimizer);
    }
    if (learningRate != null) {
      training.setLearningRate(learningRate);
    }
    if (clipNorm != null) {
      training.setClipNorm(clipNorm);
    }
    if (batchSize != null) {
      training.setBatchSize(batchSize);
    }
    if (bpttSteps != null) {
      training.setBpttSteps(bpttSteps);
    }
    if (epochs != null) {
      training.setEpochs(epochs);
    }
    if (maxSteps != null) {
      training.setMaxStepsPerEpoch(maxSteps);
    }
    if (seed != null) {
      training.setSeed(seed);
    }
    if (threads != null) {
      training.setIntraOpThreads(threads).setInterOpThreads(threads);
    }
    if (device != null) {
      training.setDevice(device.kind);
    }
    if (kernel != null) {
      model.setKernel(kernel.kind);
    }
    if (matmulPrecision != null) {
      model.setMatmulPrecision(matmulPrecision.kind);
    }
    if (sampledSoftmax != null) {
      training.setSampledSoftmax(sampledSoftmax);
    }
    if (buckets != null) {
      training.clearBucketBoundaries().addAllBucketBoundaries(buckets);
    }
    return builder.build();
  }

  /**
   * Checks every field of {@code model} and {@code training}, as a model of {@code task} will read
   * them, before any data is read, so that a bad value fails at once. The number of classes comes
   * from the data later and is not checked here. Where {@code --config} was given, the error names
   * the file.
   *
   * @throws IllegalArgumentException naming the field, its value and, with {@code --config}, the
   *     file
   */
  void check(ModelConfig model, TrainingConfig training, TaskKind task) {
    ModelConfig.Builder builder = model.toBuilder().setTask(task);
    if (task != TaskKind.LANGUAGE_MODEL) {
      builder.setNumClasses(Math.max(2, model.getNumClasses()));
    }
    try {
      if (model.hasVocabulary()) {
        throw new IllegalArgumentException(
            "model.vocabulary is not read by the command line; remove it and set the vocabulary"
                + " with --min-count (a fine-tuned model keeps its language model's vocabulary)");
      }
      ModelConfigs.validate(ModelConfigs.withDefaults(builder.build()));
      TrainingConfigs.validate(TrainingConfigs.withDefaults(training));
    } catch (IllegalArgumentException e) {
      if (config == null) {
        throw e;
      }
      throw new IllegalArgumentException(
          "invalid value in config file "
              + config
              + " or a flag that overrides it: "
              + e.getMessage()
              + "; fix the file, or override the field with a flag where the command has one",
          e);
    }
  }

  /**
   * Rejects flag values that the config fields would read as "unset": an explicit 0 for a size
   * would otherwise silently become the default.
   */
  private void checkFlags() {
    positive("--embedding-size", embeddingSize);
    positive("--hidden-size", hiddenSize);
    positive("--layers", layers);
    positive("--max-length", maxLength);
    positive("--batch-size", batchSize);
    positive("--bptt-steps", bpttSteps);
    positive("--epochs", epochs);
    if (learningRate != null && !(learningRate > 0f && Float.isFinite(learningRate))) {
      throw new IllegalArgumentException(
          "--learning-rate must be positive and finite, got " + learningRate);
    }
    rate("--dropout", dropout);
    rate("--recurrent-dropout", recurrentDropout);
    if (maxSteps != null && maxSteps < 0) {
      throw new IllegalArgumentException("--max-steps must be >= 0, got " + maxSteps);
    }
    if (cell == CellKind.CELL_KIND_UNSPECIFIED || cell == CellKind.UNRECOGNIZED) {
      throw new IllegalArgumentException("--cell must be LSTM, GRU or SIMPLE_RNN, got " + cell);
    }
    if (optimizer == OptimizerKind.OPTIMIZER_KIND_UNSPECIFIED
        || optimizer == OptimizerKind.UNRECOGNIZED) {
      throw new IllegalArgumentException(
          "--optimizer must be ADAM, SGD, MOMENTUM or ADAMW, got " + optimizer);
    }
  }

  private static void rate(String flag, Float value) {
    if (value != null && !(value >= 0f && value < 1f)) {
      throw new IllegalArgumentException(flag + " must be in [0, 1), got " + value);
    }
  }

  private static void positive(String flag, Integer value) {
    if (value != null && value <= 0) {
      throw new IllegalArgumentException(flag + " must be positive, got " + value);
    }
  }

  /** Parses a RunConfig text file; an unknown field is an error that names it. */
  static RunConfig readConfig(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to read config file " + file, e);
    }
    RunConfig.Builder builder = RunConfig.newBuilder();
    try {
      TextFormat.getParser().merge(text, builder);
    } catch (TextFormat.ParseException e) {
      throw new IllegalArgumentException(
          "invalid config file "
              + file
              + ": "
              + e.getMessage()
              + " (fields are those of RunConfig in proto/rnnkit/config.proto)",
          e);
    }
    return builder.build();
  }
}
