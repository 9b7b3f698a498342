package io.rnnkit.importer;

import io.rnnkit.checkpoint.NamedTensor;
import io.rnnkit.config.CellKind;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.Pooling;
import io.rnnkit.config.TaskKind;
import io.rnnkit.model.ModelConfigs;
import io.rnnkit.model.Network;
import io.rnnkit.nn.Activation;
import io.rnnkit.nn.CellType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Names the imported layers the way rnnkit does and decides whether they form a {@link Network}.
 *
 * <p>Recurrent layer k (from 0) gets scope {@code <cell>} for k = 0 and {@code <cell>_k} after, or
 * {@code bidirectional[_k]/forward_<cell>[_k]} and {@code .../backward_<cell>[_k]}, as {@link
 * io.rnnkit.nn.RecurrentEncoder} names them. If the layers are an embedding, recurrent layers of
 * one cell type and size, and one dense layer, they form a Network and the dense layer becomes its
 * head ({@code lm_head}, {@code classifier_head} or {@code tagger_head}). Otherwise dense layer j
 * gets scope {@code dense[_j]} and the layers form a layer stack that only {@link LayerStack}
 * rebuilds.
 */
final class ModelAssembly {

  /**
   * Imported layers with rnnkit names.
   *
   * @param layers the layers in the order the model applies them
   * @param scopes the rnnkit scope of each layer, such as {@code lstm_1} or {@code lm_head}
   * @param tensors every tensor of the rnnkit checkpoint
   * @param config the Network configuration, or empty if the layers do not form a Network
   * @param uncovered the reasons the layers do not form a Network; empty if they do
   */
  record Result(
      List<ImportedLayer> layers,
      List<String> scopes,
      List<TargetTensor> tensors,
      Optional<ModelConfig> config,
      List<String> uncovered) {}

  private ModelAssembly() {}

  static Result assemble(List<ImportedLayer> layers) {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException(
          "the source has no layer that rnnkit recognizes; map its tensors with --map (see"
              + " rnnkit import --help)");
    }
    checkOrder(layers);
    checkSizes(layers);
    List<String> uncovered = networkGaps(layers);
    Optional<ModelConfig> config =
        uncovered.isEmpty() ? Optional.of(networkConfig(layers)) : Optional.empty();
    List<String> scopes = scopes(layers, config);
    List<TargetTensor> tensors = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      addTensors(layers.get(i), scopes.get(i), tensors);
    }
    return new Result(List.copyOf(layers), scopes, tensors, config, uncovered);
  }

  private static void checkOrder(List<ImportedLayer> layers) {
    boolean sequence = true;
    boolean seenDense = false;
    for (int i = 0; i < layers.size(); i++) {
      ImportedLayer layer = layers.get(i);
      if (layer instanceof ImportedLayer.Embedding && i > 0) {
        throw new IllegalArgumentException(
            "embedding " + layer.source() + " must be the first layer, found it at position " + i);
      }
      if (layer instanceof ImportedLayer.Recurrent recurrent) {
        if (!sequence || seenDense) {
          throw new IllegalArgumentException(
              "recurrent layer "
                  + layer.source()
                  + " follows a layer that outputs one vector per sequence; rnnkit imports"
                  + " recurrent layers only as a contiguous stack whose inner layers return"
                  + " sequences");
        }
        sequence = recurrent.returnSequences();
      }
      if (layer instanceof ImportedLayer.Dense) {
        seenDense = true;
      }
    }
  }

  private static void checkSizes(List<ImportedLayer> layers) {
    int previous = -1;
    String previousName = null;
    for (ImportedLayer layer : layers) {
      int input;
      int output;
      if (layer instanceof ImportedLayer.Embedding embedding) {
        previous = embedding.embeddingSize();
        previousName = layer.source();
        continue;
      } else if (layer instanceof ImportedLayer.Recurrent recurrent) {
        input = recurrent.forward().inputSize();
        output = recurrent.outputSize();
      } else {
        ImportedLayer.Dense dense = (ImportedLayer.Dense) layer;
        input = dense.inputSize();
        output = dense.outputSize();
        if (dense.bias().values().length != output) {
          throw new IllegalArgumentException(
              "bias of dense layer "
                  + layer.source()
                  + " must have "
                  + output
                  + " values to match its kernel, got "
                  + dense.bias().values().length);
        }
      }
      if (previous >= 0 && input != previous) {
        throw new IllegalArgumentException(
            "input size of layer "
                + layer.source()
                + " must equal the output size "
                + previous
                + " of layer "
                + previousName
                + ", got "
                + input);
      }
      previous = output;
      previousName = layer.source();
    }
  }

  /** Returns why the layers do not form a Network, or an empty list if they do. */
  static List<String> networkGaps(List<ImportedLayer> layers) {
    List<String> gaps = new ArrayList<>();
    if (!(layers.get(0) instanceof ImportedLayer.Embedding)) {
      gaps.add("no embedding: the input is a float sequence, and a Network reads token ids");
    }
    List<ImportedLayer.Recurrent> recurrent = recurrentLayers(layers);
    List<ImportedLayer.Dense> dense = denseLayers(layers);
    if (recurrent.isEmpty()) {
      gaps.add("no recurrent layer");
    } else {
      CellWeights first = recurrent.get(0).forward();
      for (ImportedLayer.Recurrent layer : recurrent) {
        CellWeights cell = layer.forward();
        if (cell.cell() != first.cell()
            || cell.units() != first.units()
            || cell.resetAfter() != first.resetAfter()
            || layer.bidirectional() != recurrent.get(0).bidirectional()) {
          gaps.add(
              "recurrent layers differ in cell type, size, reset_after or direction, and a"
                  + " Network repeats one layer");
          break;
        }
        if (cell.cell() == CellType.SIMPLE_RNN && cell.activation() != Activation.TANH) {
          gaps.add("SimpleRNN " + layer.source() + " uses " + cell.activation() + ", not tanh");
        }
      }
    }
    if (dense.size() != 1) {
      gaps.add(
          dense.size()
              + " dense layers after the recurrent layers, and a Network has exactly one head");
    } else {
      DenseActivation activation = dense.get(0).activation();
      if (activation != DenseActivation.LINEAR && activation != DenseActivation.SOFTMAX) {
        gaps.add(
            "the head applies " + activation.kerasName() + ", and a Network head outputs logits");
      }
    }
    if (gaps.isEmpty()) {
      ImportedLayer.Embedding embedding = (ImportedLayer.Embedding) layers.get(0);
      boolean lastSequence = recurrent.get(recurrent.size() - 1).returnSequences();
      int outputs = dense.get(0).outputSize();
      if (lastSequence
          && outputs == embedding.vocabularySize()
          && recurrent.get(0).bidirectional()) {
        gaps.add("a bidirectional language model, which a Network rejects");
      } else if (!lastSequence && outputs < 2) {
        gaps.add("a classifier head with " + outputs + " output, and a Network needs 2 or more");
      }
    }
    return gaps;
  }

  private static ModelConfig networkConfig(List<ImportedLayer> layers) {
    ImportedLayer.Embedding embedding = (ImportedLayer.Embedding) layers.get(0);
    List<ImportedLayer.Recurrent> recurrent = recurrentLayers(layers);
    ImportedLayer.Dense head = denseLayers(layers).get(0);
    CellWeights cell = recurrent.get(0).forward();
    ModelConfig.Builder builder =
        ModelConfig.newBuilder()
            .setCell(cellKind(cell.cell()))
            .setEmbeddingSize(embedding.embeddingSize())
            .setHiddenSize(cell.units())
            .setNumLayers(recurrent.size())
            .setBidirectional(recurrent.get(0).bidirectional())
            .setGruResetAfter(cell.resetAfter());
    boolean lastSequence = recurrent.get(recurrent.size() - 1).returnSequences();
    if (lastSequence && head.outputSize() == embedding.vocabularySize()) {
      builder.setTask(TaskKind.LANGUAGE_MODEL);
    } else if (lastSequence) {
      builder.setTask(TaskKind.TAGGER).setNumClasses(head.outputSize());
    } else {
      builder
          .setTask(TaskKind.CLASSIFIER)
          .setNumClasses(head.outputSize())
          .setPooling(Pooling.LAST);
    }
    return ModelConfigs.validate(ModelConfigs.withDefaults(builder.build()));
  }

  private static CellKind cellKind(CellType type) {
    return switch (type) {
      case LSTM -> CellKind.LSTM;
      case GRU -> CellKind.GRU;
      case SIMPLE_RNN -> CellKind.SIMPLE_RNN;
    };
  }

  private static List<String> scopes(List<ImportedLayer> layers, Optional<ModelConfig> config) {
    List<String> scopes = new ArrayList<>();
    int recurrentIndex = 0;
    int denseIndex = 0;
    for (ImportedLayer layer : layers) {
      if (layer instanceof ImportedLayer.Embedding) {
        scopes.add(Network.EMBEDDING);
      } else if (layer instanceof ImportedLayer.Recurrent recurrent) {
        String suffix = suffix(recurrentIndex++);
        scopes.add(
            recurrent.bidirectional()
                ? "bidirectional" + suffix
                : recurrent.forward().cell().layerName() + suffix);
      } else if (config.isPresent()) {
        scopes.add(headScope(config.get().getTask()));
      } else {
        scopes.add("dense" + suffix(denseIndex++));
      }
    }
    return scopes;
  }

  private static String headScope(TaskKind task) {
    return switch (task) {
      case LANGUAGE_MODEL -> Network.LM_HEAD;
      case TAGGER -> Network.TAGGER_HEAD;
      default -> Network.CLASSIFIER_HEAD;
    };
  }

  static String suffix(int index) {
    return index == 0 ? "" : "_" + index;
  }

  /**
   * Returns the scopes of the cells of a recurrent layer with scope {@code scope}: the scope
   * itself, or its forward and backward cells.
   */
  static List<String> cellScopes(ImportedLayer.Recurrent layer, String scope) {
    if (!layer.bidirectional()) {
      return List.of(scope);
    }
    String cellName =
        layer.forward().cell().layerName() + scope.substring("bidirectional".length());
    return List.of(scope + "/forward_" + cellName, scope + "/backward_" + cellName);
  }

  private static void addTensors(ImportedLayer layer, String scope, List<TargetTensor> tensors) {
    if (layer instanceof ImportedLayer.Embedding embedding) {
      tensors.add(
          new TargetTensor(
              new NamedTensor(
                  scope + "/embeddings",
                  embedding.embeddings().shape(),
                  embedding.embeddings().values()),
              List.of(embedding.sourceKey()),
              "embedding table [V, E], copied unchanged"));
    } else if (layer instanceof ImportedLayer.Recurrent recurrent) {
      List<String> cellScopes = cellScopes(recurrent, scope);
      addCell(recurrent.forward(), cellScopes.get(0), tensors);
      if (recurrent.bidirectional()) {
        addCell(recurrent.backward(), cellScopes.get(1), tensors);
      }
    } else {
      ImportedLayer.Dense dense = (ImportedLayer.Dense) layer;
      String activation =
          dense.activationKnown()
              ? "activation " + dense.activation().kerasName()
              : "activation not stored in the source, assumed linear";
      tensors.add(
          new TargetTensor(
              new NamedTensor(scope + "/kernel", dense.kernel().shape(), dense.kernel().values()),
              List.of(dense.kernelKey()),
              "dense kernel [in, out], copied unchanged; " + activation));
      tensors.add(
          new TargetTensor(
              new NamedTensor(scope + "/bias", dense.bias().shape(), dense.bias().values()),
              List.of(dense.biasKey()),
              "dense bias [out], copied unchanged"));
    }
  }

  private static void addCell(CellWeights cell, String scope, List<TargetTensor> tensors) {
    long width = (long) cell.gates() * cell.units();
    tensors.add(
        new TargetTensor(
            new NamedTensor(scope + "/kernel", new long[] {cell.inputSize(), width}, cell.kernel()),
            cell.sourceKeys(),
            cell.transformation()));
    tensors.add(
        new TargetTensor(
            new NamedTensor(
                scope + "/recurrent_kernel",
                new long[] {cell.units(), width},
                cell.recurrentKernel()),
            cell.sourceKeys(),
            cell.transformation()));
    tensors.add(
        new TargetTensor(
            new NamedTensor(scope + "/bias", cell.biasShape(), cell.bias()),
            cell.sourceKeys(),
            cell.transformation()));
  }

  static List<ImportedLayer.Recurrent> recurrentLayers(List<ImportedLayer> layers) {
    return layers.stream()
        .filter(ImportedLayer.Recurrent.class::isInstance)
        .map(ImportedLayer.Recurrent.class::cast)
        .toList();
  }

  static List<ImportedLayer.Dense> denseLayers(List<ImportedLayer> layers) {
    return layers.stream()
        .filter(ImportedLayer.Dense.class::isInstance)
        .map(ImportedLayer.Dense.class::cast)
        .toList();
  }
}
