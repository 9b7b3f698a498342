package io.rnnkit.importer;

import io.rnnkit.nn.Bidirectional;
import io.rnnkit.nn.Dense;
import io.rnnkit.nn.Embedding;
import io.rnnkit.nn.GruCell;
import io.rnnkit.nn.LstmCell;
import io.rnnkit.nn.MergeMode;
import io.rnnkit.nn.ParameterStore;
import io.rnnkit.nn.Rnn;
import io.rnnkit.nn.RnnCell;
import io.rnnkit.nn.SequencePooling;
import io.rnnkit.nn.SimpleRnnCell;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * Rebuilds an imported model from rnnkit layers ({@link Embedding}, {@link Rnn} with {@link
 * LstmCell}, {@link GruCell} or {@link SimpleRnnCell}, {@link Bidirectional}, {@link Dense}), with
 * the variable names of the imported checkpoint.
 *
 * <p>This covers models that a {@link io.rnnkit.model.Network} cannot express, such as a recurrent
 * layer over a float sequence followed by several dense layers. A recurrent layer with {@code
 * returnSequences} false outputs its last step: for a bidirectional layer, the forward output at
 * step {@code L-1} next to the backward output at step 0, as Keras does.
 */
public final class LayerStack {

  private final List<ImportedLayer> layers;
  private final List<Object> built;

  private LayerStack(List<ImportedLayer> layers, List<Object> built) {
    this.layers = layers;
    this.built = built;
  }

  /** Creates the variables of every layer in {@code store}, with scopes {@code scopes}. */
  static LayerStack create(ParameterStore store, List<ImportedLayer> layers, List<String> scopes) {
    List<Object> built = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      ImportedLayer layer = layers.get(i);
      String scope = scopes.get(i);
      if (layer instanceof ImportedLayer.Embedding embedding) {
        built.add(
            Embedding.create(store, scope, embedding.vocabularySize(), embedding.embeddingSize()));
      } else if (layer instanceof ImportedLayer.Recurrent recurrent) {
        List<String> cellScopes = ModelAssembly.cellScopes(recurrent, scope);
        RnnCell<?> forward = cell(store, recurrent.forward(), cellScopes.get(0));
        if (recurrent.bidirectional()) {
          RnnCell<?> backward = cell(store, recurrent.backward(), cellScopes.get(1));
          built.add(bidirectional(forward, backward));
        } else {
          built.add(Rnn.of(forward));
        }
      } else {
        ImportedLayer.Dense dense = (ImportedLayer.Dense) layer;
        built.add(Dense.create(store, scope, dense.inputSize(), dense.outputSize()));
      }
    }
    return new LayerStack(List.copyOf(layers), built);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Bidirectional<?> bidirectional(RnnCell<?> forward, RnnCell<?> backward) {
    return Bidirectional.of((RnnCell) forward, (RnnCell) backward, MergeMode.CONCAT);
  }

  private static RnnCell<?> cell(ParameterStore store, CellWeights weights, String scope) {
    return switch (weights.cell()) {
      case LSTM -> LstmCell.create(store, scope, weights.inputSize(), weights.units());
      case GRU ->
          GruCell.create(store, scope, weights.inputSize(), weights.units(), weights.resetAfter());
      case SIMPLE_RNN ->
          SimpleRnnCell.create(
              store, scope, weights.inputSize(), weights.units(), weights.activation());
    };
  }

  /**
   * Builds the forward pass.
   *
   * @param input token ids {@code [B, T]} int32 if the first layer is an embedding, else {@code [B,
   *     T, I]} float32
   * @param lengths {@code [B]} int32, each in {@code [0, T]}
   * @param timeSteps {@code T}
   * @return the last layer's output: {@code [B, T, K]} if the last recurrent layer returns
   *     sequences, else {@code [B, K]}
   */
  @SuppressWarnings("unchecked")
  public Operand<TFloat32> apply(
      Ops tf, Operand<? extends TType> input, Operand<TInt32> lengths, int timeSteps) {
    Operand<TFloat32> current;
    int start = 0;
    if (built.get(0) instanceof Embedding embedding) {
      current = embedding.apply(tf, (Operand<TInt32>) input);
      start = 1;
    } else {
      current = (Operand<TFloat32>) input;
    }
    boolean sequence = true;
    for (int i = start; i < built.size(); i++) {
      Object layer = built.get(i);
      if (layer instanceof Rnn<?> rnn) {
        current = rnn.apply(tf, current, lengths, timeSteps).outputs();
        if (!((ImportedLayer.Recurrent) layers.get(i)).returnSequences()) {
          current = SequencePooling.last(tf, current, lengths);
          sequence = false;
        }
      } else if (layer instanceof Bidirectional<?> both) {
        current = both.apply(tf, current, lengths, timeSteps).outputs();
        if (!((ImportedLayer.Recurrent) layers.get(i)).returnSequences()) {
          current = lastOfBothDirections(tf, current, lengths);
          sequence = false;
        }
      } else {
        Dense dense = (Dense) layer;
        current =
            sequence ? dense.applyToSequence(tf, current, timeSteps) : dense.apply(tf, current);
        current = ((ImportedLayer.Dense) layers.get(i)).activation().apply(tf, current);
      }
    }
    return current;
  }

  private static Operand<TFloat32> lastOfBothDirections(
      Ops tf, Operand<TFloat32> outputs, Operand<TInt32> lengths) {
    var halves = tf.split(tf.constant(2), outputs, 2L);
    Operand<TFloat32> forward = (Operand<TFloat32>) halves.output().get(0);
    Operand<TFloat32> backward = (Operand<TFloat32>) halves.output().get(1);
    return tf.concat(
        List.of(
            SequencePooling.last(tf, forward, lengths),
            SequencePooling.first(tf, backward, lengths)),
        tf.constant(1));
  }

  /** Returns true if the first layer is an embedding, so the input is token ids. */
  public boolean readsTokenIds() {
    return layers.get(0) instanceof ImportedLayer.Embedding;
  }
}
