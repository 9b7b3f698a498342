package io.rnnkit.nn;

import io.rnnkit.config.MatmulPrecision;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.RecurrentKernel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Stack of {@code N} recurrent layers, unidirectional or {@link Bidirectional}, of one cell type,
 * with dropout between layers and variational recurrent dropout.
 *
 * <p>Layer {@code k} (from 0) has scope {@code <cell>} for {@code k = 0} and {@code <cell>_k}
 * after, for example {@code lstm}, {@code lstm_1}. A bidirectional layer has scope {@code
 * bidirectional}, {@code bidirectional_1}, ... and wraps cells named {@code forward_<cell>} and
 * {@code backward_<cell>} with the same suffix, for example {@code
 * bidirectional_1/forward_lstm_1/kernel}. These are the names Keras gives a model built from fresh
 * layers in this order.
 *
 * <p>When built for training, the encoder applies:
 *
 * <ul>
 *   <li>dropout with rate {@code dropout} to its inputs and to the outputs of every layer,
 *       element-wise with one mask value per {@code [b, t, feature]};
 *   <li>recurrent dropout with rate {@code recurrentDropout}: one mask {@code [B, H]} per layer and
 *       direction, drawn once per sequence and multiplied into the hidden state where it enters the
 *       recurrent product at every step (Gal and Ghahramani, 2016). Keras draws one such mask per
 *       gate; this encoder shares one mask across the gates of a cell.
 * </ul>
 *
 * <p>All masks are scaled by {@code 1 / (1 - rate)} and drawn by stateless random ops from the
 * {@code seed} operand, so one seed value fixes every mask. Built for inference, the graph contains
 * no dropout op.
 */
public final class RecurrentEncoder {

  /**
   * Arguments of an encoder.
   *
   * @param cell cell type of every layer
   * @param inputSize last dimension of the inputs, usually the embedding size {@code E}
   * @param hiddenSize {@code H} of every layer and direction
   * @param numLayers number of stacked layers
   * @param bidirectional whether every layer is bidirectional
   * @param dropout rate on the inputs and on each layer's outputs, in {@code [0, 1)}
   * @param recurrentDropout rate on the recurrent state, in {@code [0, 1)}
   * @param gruResetAfter GRU only: see {@link GruCell#create(ParameterStore, String, int, int,
   *     boolean)}
   * @param mergeMode merge mode of bidirectional layers
   */
  public record Spec(
      CellType cell,
      int inputSize,
      int hiddenSize,
      int numLayers,
      boolean bidirectional,
      float dropout,
      float recurrentDropout,
      boolean gruResetAfter,
      MergeMode mergeMode) {

    /** Checks every argument and names the first invalid one. */
    public Spec {
      if (cell == null) {
        throw new IllegalArgumentException("cell must be non-null, got null");
      }
      Checks.positive("inputSize", inputSize);
      Checks.positive("hiddenSize", hiddenSize);
      Checks.positive("numLayers", numLayers);
      Checks.rate("dropout", dropout);
      Checks.rate("recurrentDropout", recurrentDropout);
      if (mergeMode == null) {
        throw new IllegalArgumentException("mergeMode must be non-null, got null");
      }
    }

    /** Returns a spec without dropout, GRUs with {@code resetAfter} and concatenated directions. */
    public static Spec of(
        CellType cell, int inputSize, int hiddenSize, int numLayers, boolean bidirectional) {
      return new Spec(
          cell, inputSize, hiddenSize, numLayers, bidirectional, 0f, 0f, true, MergeMode.CONCAT);
    }
  }

  private final Spec spec;
  private final List<EncoderLayer> layers;

  private RecurrentEncoder(ParameterStore store, Spec spec, MatmulPrecision precision) {
    this.spec = spec;
    List<EncoderLayer> built = new ArrayList<>();
    int inputSize = spec.inputSize();
    for (int k = 0; k < spec.numLayers(); k++) {
      EncoderLayer layer = buildLayer(store, spec, precision, k, inputSize);
      built.add(layer);
      inputSize = layer.outputSize();
    }
    this.layers = Collections.unmodifiableList(built);
  }

  /** Creates an encoder and its variables from plain arguments, with float32 products. */
  public static RecurrentEncoder create(ParameterStore store, Spec spec) {
    return create(store, spec, MatmulPrecision.FLOAT32);
  }

  /**
   * Creates an encoder and its variables from plain arguments. Every cell's input and recurrent
   * products run in {@code precision}.
   */
  public static RecurrentEncoder create(
      ParameterStore store, Spec spec, MatmulPrecision precision) {
    if (spec == null) {
      throw new IllegalArgumentException("spec must be non-null, got null");
    }
    return new RecurrentEncoder(store, spec, MatMuls.check(precision));
  }

  /**
   * Creates an encoder from a model configuration: its inputs are embeddings of size {@code
   * embedding_size}, and bidirectional layers concatenate their directions.
   *
   * <p>NOTE: {@code gru_reset_after} is a proto3 {@code bool}, so a configuration that does not set
   * it builds GRUs without {@code resetAfter}, unlike the Keras default.
   */
  public static RecurrentEncoder fromConfig(ParameterStore store, ModelConfig config) {
    Spec spec =
        new Spec(
            CellType.of(config.getCell()),
            config.getEmbeddingSize(),
            config.getHiddenSize(),
            config.getNumLayers(),
            config.getBidirectional(),
            config.getDropout(),
            config.getRecurrentDropout(),
            config.getGruResetAfter(),
            MergeMode.CONCAT);
    return create(store, spec, config.getMatmulPrecision()).kernel(config.getKernel());
  }

  /**
   * Sets the kernel of every layer; see {@link Rnn#kernel(RecurrentKernel)}. The weights do not
   * depend on it.
   */
  public RecurrentEncoder kernel(RecurrentKernel value) {
    layers.forEach(layer -> layer.kernel(value));
    return this;
  }

  /**
   * Builds the encoder.
   *
   * @param inputs {@code [B, T, inputSize]}
   * @param lengths {@code [B]} int32, each in {@code [0, T]}
   * @param timeSteps {@code T}
   * @param training whether to add dropout; false builds an inference graph without dropout ops
   * @param seed int64 {@code [2]} seed of every dropout mask; required when {@code training} and a
   *     rate is positive, ignored otherwise
   */
  public EncoderOutput apply(
      Ops tf,
      Operand<TFloat32> inputs,
      Operand<TInt32> lengths,
      int timeSteps,
      boolean training,
      Operand<TInt64> seed) {
    return apply(tf, inputs, lengths, timeSteps, training, seed, null);
  }

  /**
   * Builds the encoder from a given initial state, as truncated BPTT needs.
   *
   * @param initialState {@link #statePartCount()} tensors {@code [B, H]}: the {@link
   *     RnnState#parts()} of each layer from the bottom up, or {@code null} for zeros. Only
   *     unidirectional layers take an initial state.
   */
  public EncoderOutput apply(
      Ops tf,
      Operand<TFloat32> inputs,
      Operand<TInt32> lengths,
      int timeSteps,
      boolean training,
      Operand<TInt64> seed,
      List<Operand<TFloat32>> initialState) {
    return apply(tf, inputs, lengths, timeSteps, training, seed, initialState, null);
  }

  /**
   * Builds the encoder from a given initial state, zeroing each layer's state where {@code
   * resetBefore [B, T]} is true (a document starts at that step). Only unidirectional layers take a
   * reset mask.
   */
  public EncoderOutput apply(
      Ops tf,
      Operand<TFloat32> inputs,
      Operand<TInt32> lengths,
      int timeSteps,
      boolean training,
      Operand<TInt64> seed,
      List<Operand<TFloat32>> initialState,
      Operand<TBool> resetBefore) {
    if (initialState != null && initialState.size() != statePartCount()) {
      throw new IllegalArgumentException(
          "initialState must have " + statePartCount() + " parts, got " + initialState.size());
    }
    int offset = 0;
    boolean anyDropout = spec.dropout() > 0f || spec.recurrentDropout() > 0f;
    if (training && anyDropout && seed == null) {
      throw new IllegalArgumentException(
          "seed must be an int64 [2] operand when training with dropout, got null");
    }
    DropoutSites sites = training ? new DropoutSites(tf, seed, lengths) : null;
    Operand<TFloat32> current = sites == null ? inputs : sites.dropout(inputs, spec.dropout(), 0);
    List<EncoderOutput.LayerState> states = new ArrayList<>();
    for (int k = 0; k < layers.size(); k++) {
      EncoderLayer layer = layers.get(k);
      Operand<TFloat32> forwardMask = null;
      Operand<TFloat32> backwardMask = null;
      if (sites != null && spec.recurrentDropout() > 0f) {
        forwardMask = sites.recurrentMask(spec.hiddenSize(), spec.recurrentDropout(), 2 * k);
        backwardMask = sites.recurrentMask(spec.hiddenSize(), spec.recurrentDropout(), 2 * k + 1);
      }
      List<Operand<TFloat32>> start = null;
      if (initialState != null) {
        start = initialState.subList(offset, offset + layer.statePartCount());
        offset += layer.statePartCount();
      }
      LayerResult result =
          layer.apply(
              tf,
              current,
              lengths,
              timeSteps,
              training,
              forwardMask,
              backwardMask,
              start,
              resetBefore);
      current = result.outputs();
      if (sites != null) {
        current = sites.dropout(current, spec.dropout(), k + 1);
      }
      states.add(result.state());
    }
    return new EncoderOutput(current, Collections.unmodifiableList(states));
  }

  /** Builds the encoder for inference: no dropout. */
  public EncoderOutput apply(
      Ops tf, Operand<TFloat32> inputs, Operand<TInt32> lengths, int timeSteps) {
    return apply(tf, inputs, lengths, timeSteps, false, null);
  }

  /** Returns the arguments of this encoder. */
  public Spec spec() {
    return spec;
  }

  /** Returns the scope of each layer from the bottom up, for example {@code [lstm, lstm_1]}. */
  public List<String> layerScopes() {
    return layers.stream().map(EncoderLayer::scope).toList();
  }

  /**
   * Returns the variable-name prefix of each layer from the bottom up, for example {@code ["lstm/",
   * "lstm_1/"]}. Each ends with {@code /}, so that {@link ParameterStore#variablesUnder(List)} with
   * {@code "lstm/"} does not also select {@code lstm_1}.
   */
  public List<String> layerPrefixes() {
    return layers.stream().map(layer -> layer.scope() + "/").toList();
  }

  /** Returns the number of {@code [B, H]} state tensors of all layers together. */
  public int statePartCount() {
    return layers.stream().mapToInt(EncoderLayer::statePartCount).sum();
  }

  /** Returns the last dimension of {@link EncoderOutput#outputs()}: {@code D*H} or {@code H}. */
  public int outputSize() {
    return layers.get(layers.size() - 1).outputSize();
  }

  private static EncoderLayer buildLayer(
      ParameterStore store, Spec spec, MatmulPrecision precision, int index, int inputSize) {
    String suffix = index == 0 ? "" : "_" + index;
    String cellName = spec.cell().layerName() + suffix;
    return switch (spec.cell()) {
      case LSTM -> {
        CellFactory<LstmState> lstm =
            (s, name, i, h) -> LstmCell.create(s, name, i, h).withMatmulPrecision(precision);
        yield buildLayer(store, spec, suffix, cellName, lstm, inputSize);
      }
      case GRU -> {
        CellFactory<HiddenState> gru =
            (s, name, i, h) ->
                GruCell.create(s, name, i, h, spec.gruResetAfter()).withMatmulPrecision(precision);
        yield buildLayer(store, spec, suffix, cellName, gru, inputSize);
      }
      case SIMPLE_RNN -> {
        CellFactory<HiddenState> simple =
            (s, name, i, h) -> SimpleRnnCell.create(s, name, i, h).withMatmulPrecision(precision);
        yield buildLayer(store, spec, suffix, cellName, simple, inputSize);
      }
    };
  }

  private static <S extends RnnState> EncoderLayer buildLayer(
      ParameterStore store,
      Spec spec,
      String suffix,
      String cellName,
      CellFactory<S> factory,
      int inputSize) {
    if (spec.bidirectional()) {
      String scope = "bidirectional" + suffix;
      Bidirectional<S> layer =
          Bidirectional.create(
              store, scope, cellName, factory, inputSize, spec.hiddenSize(), spec.mergeMode());
      return new BidirectionalLayer<>(scope, layer);
    }
    RnnCell<S> cell = factory.create(store, cellName, inputSize, spec.hiddenSize());
    return new UnidirectionalLayer<>(cellName, Rnn.of(cell));
  }

  /** Outputs and final states of one layer. */
  private record LayerResult(Operand<TFloat32> outputs, EncoderOutput.LayerState state) {}

  /** One layer of the stack, hiding its state type. */
  private interface EncoderLayer {
    String scope();

    void kernel(RecurrentKernel value);

    int outputSize();

    int statePartCount();

    LayerResult apply(
        Ops tf,
        Operand<TFloat32> inputs,
        Operand<TInt32> lengths,
        int timeSteps,
        boolean training,
        Operand<TFloat32> forwardMask,
        Operand<TFloat32> backwardMask,
        List<Operand<TFloat32>> initialState,
        Operand<TBool> resetBefore);
  }

  private record UnidirectionalLayer<S extends RnnState>(String scope, Rnn<S> rnn)
      implements EncoderLayer {
    @Override
    public void kernel(RecurrentKernel value) {
      rnn.kernel(value);
    }

    @Override
    public int outputSize() {
      return rnn.cell().hiddenSize();
    }

    @Override
    public int statePartCount() {
      return rnn.cell() instanceof LstmCell ? 2 : 1;
    }

    @Override
    public LayerResult apply(
        Ops tf,
        Operand<TFloat32> inputs,
        Operand<TInt32> lengths,
        int timeSteps,
        boolean training,
        Operand<TFloat32> forwardMask,
        Operand<TFloat32> backwardMask,
        List<Operand<TFloat32>> initialState,
        Operand<TBool> resetBefore) {
      S start = initialState == null ? null : rnn.cell().stateOf(initialState);
      Rnn<S> built = training ? rnn.forTraining() : rnn;
      RnnOutput<S> out =
          built.apply(tf, inputs, lengths, timeSteps, start, forwardMask, resetBefore);
      return new LayerResult(out.outputs(), new EncoderOutput.LayerState(out.finalState(), null));
    }
  }

  private record BidirectionalLayer<S extends RnnState>(String scope, Bidirectional<S> layer)
      implements EncoderLayer {
    @Override
    public void kernel(RecurrentKernel value) {
      layer.kernel(value);
    }

    @Override
    public int outputSize() {
      return layer.outputSize();
    }

    @Override
    public int statePartCount() {
      return 0;
    }

    @Override
    public LayerResult apply(
        Ops tf,
        Operand<TFloat32> inputs,
        Operand<TInt32> lengths,
        int timeSteps,
        boolean training,
        Operand<TFloat32> forwardMask,
        Operand<TFloat32> backwardMask,
        List<Operand<TFloat32>> initialState,
        Operand<TBool> resetBefore) {
      if (initialState != null || resetBefore != null) {
        throw new IllegalArgumentException(
            "bidirectional layer "
                + scope
                + " does not take an initial state; only"
                + " unidirectional layers carry state across windows");
      }
      Bidirectional<S> built = training ? layer.forTraining() : layer;
      BidirectionalOutput<S> out =
          built.apply(tf, inputs, lengths, timeSteps, null, null, forwardMask, backwardMask);
      return new LayerResult(
          out.outputs(), new EncoderOutput.LayerState(out.forwardState(), out.backwardState()));
    }
  }

  /**
   * Dropout masks of one training graph. Output-dropout site {@code k} and recurrent-mask site
   * {@code j} get distinct seeds derived from the one seed operand.
   */
  private static final class DropoutSites {
    private static final int RECURRENT_SITE_BASE = 1 << 16;

    private final Ops tf;
    private final Operand<TInt64> seed;
    private final Operand<TInt32> batchSize;

    DropoutSites(Ops tf, Operand<TInt64> seed, Operand<TInt32> lengths) {
      this.tf = tf.withSubScope("dropout");
      this.seed = seed;
      this.batchSize = Rnn.batchSize(this.tf, lengths);
    }

    Operand<TFloat32> dropout(Operand<TFloat32> x, float rate, int site) {
      if (rate == 0f) {
        return x;
      }
      return Dropout.apply(tf, x, rate, Dropout.siteSeed(tf, seed, site));
    }

    Operand<TFloat32> recurrentMask(int hiddenSize, float rate, int site) {
      Operand<TInt64> siteSeed = Dropout.siteSeed(tf, seed, RECURRENT_SITE_BASE + site);
      return Dropout.recurrentMask(tf, batchSize, hiddenSize, rate, siteSeed);
    }
  }
}
