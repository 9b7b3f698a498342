package io.rnnkit.export;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import io.rnnkit.model.ModelConfigs;
import io.rnnkit.model.Network;
import io.rnnkit.nn.ParameterStore;
import io.rnnkit.train.Checkpoints;
import io.rnnkit.train.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Tiny models of every task (vocabulary of 9, embedding and hidden size 4, max_length 6) with
 * random weights, and the reference outputs of the graph they were built in.
 */
final class TinyModels {
  private TinyModels() {}

  static final List<String> VOCABULARY =
      List.of("<pad>", "<unk>", "the", "cat", "sat", "on", "a", "mat", ".");
  static final List<String> LABELS = List.of("animal", "place", "other");
  static final List<String> TAGS = List.of("DET", "NOUN", "VERB", "ADP", "PUNCT");
  static final int MAX_LENGTH = 6;

  /** Returns the configuration of the tiny model of {@code task}. */
  static ModelConfig config(TaskKind task) {
    ModelConfig.Builder builder =
        ModelConfig.newBuilder()
            .setTask(task)
            .setEmbeddingSize(4)
            .setHiddenSize(4)
            .setMaxLength(MAX_LENGTH);
    switch (task) {
      case CLASSIFIER -> builder.setNumClasses(LABELS.size()).setHeadHiddenSize(5);
      case TAGGER -> builder.setNumClasses(TAGS.size()).setBidirectional(true);
      default -> builder.setNumLayers(2);
    }
    return ModelConfigs.withDefaults(builder.build());
  }

  /** Returns the class names the export of {@code task} takes. */
  static List<String> classNames(TaskKind task) {
    return switch (task) {
      case CLASSIFIER -> LABELS;
      case TAGGER -> TAGS;
      default -> List.of();
    };
  }

  /** Token ids of {@code tokens}, with 1 ({@code <unk>}) for unknown ones and 0 for padding. */
  static int[][] ids(List<List<String>> rows, int width) {
    int[][] ids = new int[rows.size()][width];
    for (int row = 0; row < rows.size(); row++) {
      for (int t = 0; t < rows.get(row).size(); t++) {
        int id = VOCABULARY.indexOf(rows.get(row).get(t));
        ids[row][t] = id < 0 ? 1 : id;
      }
    }
    return ids;
  }

  /**
   * A tiny network of one task in its own graph, with every weight drawn uniformly from [-0.5, 0.5)
   * so that no bias is zero.
   */
  static final class Reference implements AutoCloseable {
    private final Graph graph = new Graph();
    private final Session session;
    private final Placeholder<TInt32> ids;
    private final Placeholder<TInt32> lengths;
    private final Operand<TFloat32> output;
    final ModelConfig config;

    Reference(TaskKind task, long seed) {
      this(config(task), seed);
    }

    /** Builds the network of {@code config}, a variant of {@link #config(TaskKind)}. */
    Reference(ModelConfig config, long seed) {
      this.config = config;
      TaskKind task = config.getTask();
      Ops tf = Ops.create(graph);
      ParameterStore store = ParameterStore.forTraining(tf, seed);
      Network network = Network.create(store, config, VOCABULARY.size());
      ids = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, MAX_LENGTH)));
      lengths = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Network.Encoded encoded = network.encode(tf, ids, lengths, MAX_LENGTH);
      output =
          switch (task) {
            case CLASSIFIER ->
                tf.nn.softmax(network.classifierLogits(tf, encoded.outputs(), lengths, MAX_LENGTH));
            case TAGGER -> tf.nn.softmax(network.taggerLogits(tf, encoded.outputs(), MAX_LENGTH));
            default ->
                tf.nn.logSoftmax(network.languageModelLogits(tf, encoded.outputs(), MAX_LENGTH));
          };
      List<Op> assignments = randomWeights(tf, store, new Random(seed));
      session = new Session(graph);
      session.initialize();
      Session.Runner runner = session.runner();
      assignments.forEach(runner::addTarget);
      runner.run();
    }

    private static List<Op> randomWeights(Ops tf, ParameterStore store, Random random) {
      List<Op> assignments = new ArrayList<>();
      for (Map.Entry<String, Variable<TFloat32>> entry : store.variables().entrySet()) {
        Shape shape = store.shape(entry.getKey());
        float[] values = new float[(int) shape.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = random.nextFloat() - 0.5f;
        }
        assignments.add(
            tf.assign(entry.getValue(), tf.constant(shape, DataBuffers.of(values, true, false))));
      }
      return assignments;
    }

    /** Saves the weights as a checkpoint folder. */
    Path save(Path folder) {
      Checkpoints.save(session, folder);
      return folder;
    }

    /**
     * Returns the task's output for rows padded to max_length: class probabilities {@code [B, 1,
     * C]}, tag probabilities {@code [B, T, K]} or next-token log-probabilities {@code [B, T, V]}.
     */
    float[][][] run(List<List<String>> rows) {
      int[] rowLengths = rows.stream().mapToInt(row -> Math.min(row.size(), MAX_LENGTH)).toArray();
      try (TInt32 idTensor = Tensors.ints(ids(rows, MAX_LENGTH));
          TInt32 lengthTensor = Tensors.ints(rowLengths);
          Result result =
              session
                  .runner()
                  .feed(ids, idTensor)
                  .feed(lengths, lengthTensor)
                  .fetch(output)
                  .run()) {
        return toArray3((TFloat32) result.get(0));
      }
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  /** Copies a rank-2 or rank-3 float tensor; rank 2 becomes {@code [B, 1, C]}. */
  static float[][][] toArray3(TFloat32 tensor) {
    long[] dims = tensor.shape().asArray();
    boolean rank2 = dims.length == 2;
    int rows = (int) dims[0];
    int steps = rank2 ? 1 : (int) dims[1];
    int columns = (int) dims[dims.length - 1];
    float[][][] values = new float[rows][steps][columns];
    for (int b = 0; b < rows; b++) {
      for (int t = 0; t < steps; t++) {
        for (int c = 0; c < columns; c++) {
          values[b][t][c] = rank2 ? tensor.getFloat(b, c) : tensor.getFloat(b, t, c);
        }
      }
    }
    return values;
  }
}
