package io.rnnkit.model;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.Pooling;
import io.rnnkit.config.TaskKind;
import io.rnnkit.nn.Dense;
import io.rnnkit.nn.Embedding;
import io.rnnkit.nn.EncoderOutput;
import io.rnnkit.nn.Losses;
import io.rnnkit.nn.ParameterStore;
import io.rnnkit.nn.RecurrentEncoder;
import io.rnnkit.nn.SequencePooling;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The network of one task: embedding, recurrent encoder and the task's head, all on one {@link
 * ParameterStore}. Calling the build methods again for another {@code T} reuses the variables, so
 * every bucket graph trains the same weights. The encoder's and the head's matrix products run in
 * the configured {@code matmul_precision}. The embedding lookup is a gather and has no product.
 */
public final class Network {

  /** Scope of the language-model head. */
  public static final String LM_HEAD = "lm_head";

  /** Scope of the classifier head. */
  public static final String CLASSIFIER_HEAD = "classifier_head";

  /** Scope of the tagger head. */
  public static final String TAGGER_HEAD = "tagger_head";

  /** Scope of the token embedding. */
  public static final String EMBEDDING = "embedding";

  private final ModelConfig config;
  private final Embedding embedding;
  private final RecurrentEncoder encoder;
  private final Dense head;
  private final Dense headHidden;
  private final Dense auxiliaryLmHead;

  private Network(ParameterStore store, ModelConfig config, int vocabularySize) {
    this.config = ModelConfigs.validate(config);
    this.embedding = Embedding.create(store, EMBEDDING, vocabularySize, config.getEmbeddingSize());
    this.encoder = RecurrentEncoder.fromConfig(store, config);
    this.headHidden = createHeadHidden(store);
    this.head = createHead(store, vocabularySize).withMatmulPrecision(config.getMatmulPrecision());
    this.auxiliaryLmHead =
        config.getLmLossWeight() > 0f
            ? Dense.create(store, LM_HEAD, config.getHiddenSize(), vocabularySize)
                .withMatmulPrecision(config.getMatmulPrecision())
            : null;
  }

  /** Returns the classifier head's hidden layer, or {@code null} without one. */
  private Dense createHeadHidden(ParameterStore store) {
    if (config.getHeadHiddenSize() == 0) {
      return null;
    }
    Dense hidden =
        Dense.create(
            store,
            CLASSIFIER_HEAD + "/hidden",
            pooledSize(config.getPooling()),
            config.getHeadHiddenSize());
    return hidden.withMatmulPrecision(config.getMatmulPrecision());
  }

  private Dense createHead(ParameterStore store, int vocabularySize) {
    if (config.getTask() == TaskKind.LANGUAGE_MODEL) {
      return Dense.create(store, LM_HEAD, encoderOutputSize(), vocabularySize);
    } else if (config.getTask() == TaskKind.TAGGER) {
      return Dense.create(store, TAGGER_HEAD, encoderOutputSize(), config.getNumClasses());
    }
    int inputSize = headHidden != null ? headHidden.outputSize() : pooledSize(config.getPooling());
    return Dense.create(store, CLASSIFIER_HEAD, inputSize, config.getNumClasses());
  }

  /** Builds the variables of the network that {@code config} describes. */
  public static Network create(ParameterStore store, ModelConfig config, int vocabularySize) {
    return new Network(store, config, vocabularySize);
  }

  /** Returns the configuration this network was built from. */
  public ModelConfig config() {
    return config;
  }

  /** Returns the variable-name prefixes of the embedding and encoder, bottom layer first. */
  public List<String> encoderScopes() {
    List<String> scopes = new ArrayList<>();
    scopes.add(EMBEDDING + "/");
    scopes.addAll(encoder.layerPrefixes());
    return scopes;
  }

  /** Returns {@code D*H}, the size of one encoder output vector. */
  public int encoderOutputSize() {
    return encoder.outputSize();
  }

  /** Returns the number of state tensors, each {@code [B, H]}, the encoder carries. */
  public int statePartCount() {
    return encoder.statePartCount();
  }

  /**
   * Encodes token ids.
   *
   * @param ids {@code [B, T]} int32
   * @param lengths {@code [B]} int32
   * @param initialState {@link #statePartCount()} tensors {@code [B, H]}, or {@code null} for zeros
   * @param training whether to add the configured dropout
   * @param seed int64 {@code [2]} seed of the dropout masks; used only when {@code training}
   * @return outputs {@code [B, T, D*H]} of the top layer and the final state parts in the order of
   *     {@code initialState}
   */
  public Encoded encode(
      Ops tf,
      Operand<TInt32> ids,
      Operand<TInt32> lengths,
      int timeSteps,
      List<Operand<TFloat32>> initialState,
      boolean training,
      Operand<TInt64> seed) {
    return encode(tf, ids, lengths, timeSteps, initialState, training, seed, null);
  }

  /**
   * Encodes token ids like {@link #encode(Ops, Operand, Operand, int, List, boolean, Operand)},
   * zeroing the recurrent state before step {@code t} of row {@code b} where {@code resetBefore[b,
   * t]} is true, because a new document starts there.
   *
   * @param resetBefore bool {@code [B, T]}, or {@code null} for no reset
   */
  public Encoded encode(
      Ops tf,
      Operand<TInt32> ids,
      Operand<TInt32> lengths,
      int timeSteps,
      List<Operand<TFloat32>> initialState,
      boolean training,
      Operand<TInt64> seed,
      Operand<TBool> resetBefore) {
    Operand<TFloat32> embedded = embedding.apply(tf, ids);
    EncoderOutput output =
        encoder.apply(tf, embedded, lengths, timeSteps, training, seed, initialState, resetBefore);
    List<Operand<TFloat32>> finalState = new ArrayList<>();
    for (EncoderOutput.LayerState state : output.states()) {
      if (state.backward() == null) {
        finalState.addAll(state.forward().parts());
      }
    }
    return new Encoded(output.outputs(), finalState);
  }

  /** Encodes token ids for inference: no dropout, zero initial state. */
  public Encoded encode(Ops tf, Operand<TInt32> ids, Operand<TInt32> lengths, int timeSteps) {
    return encode(tf, ids, lengths, timeSteps, null, false, null);
  }

  /** Returns next-token logits {@code [B, T, V]} from encoder outputs {@code [B, T, D*H]}. */
  public Operand<TFloat32> languageModelLogits(Ops tf, Operand<TFloat32> outputs, int timeSteps) {
    return head.applyToSequence(tf, outputs, timeSteps);
  }

  /**
   * Returns the output layer of the task: {@code lm_head}, {@code tagger_head} or the classifier's.
   */
  public Dense head() {
    return head;
  }

  /** Returns tag logits {@code [B, T, K]} from encoder outputs {@code [B, T, D*H]}. */
  public Operand<TFloat32> taggerLogits(Ops tf, Operand<TFloat32> outputs, int timeSteps) {
    return head.applyToSequence(tf, outputs, timeSteps);
  }

  /**
   * Returns the variable-name prefixes of the task's output layers: the head's, and {@code
   * lm_head/} too for a classifier with an auxiliary language-model loss.
   */
  public List<String> headScopes() {
    if (auxiliaryLmHead == null) {
      return List.of(headScope() + "/");
    }
    return List.of(headScope() + "/", LM_HEAD + "/");
  }

  /**
   * Returns the auxiliary language-model loss of a classifier. It is the masked mean cross-entropy
   * of predicting each next token of {@code ids} from the forward direction's output one step
   * earlier, through {@code lm_head}, so a row of length {@code n} makes {@code n - 1} predictions.
   *
   * @param outputs {@code [B, T, D*H]} encoder outputs, the forward direction first
   * @param ids {@code [B, T]} int32 token ids
   * @param lengths {@code [B]} int32
   * @throws IllegalStateException if the network has no {@code lm_head} ({@code lm_loss_weight} 0)
   */
  public Operand<TFloat32> auxiliaryLmLoss(
      Ops tf,
      Operand<TFloat32> outputs,
      Operand<TInt32> ids,
      Operand<TInt32> lengths,
      int timeSteps) {
    if (auxiliaryLmHead == null) {
      throw new IllegalStateException(
          "the network has no lm_head; build it with a positive lm_loss_weight");
    }
    if (timeSteps < 2) {
      return tf.constant(0f);
    }
    int hidden = config.getHiddenSize();
    int predictions = timeSteps - 1;
    Operand<TFloat32> forward =
        tf.slice(
            outputs,
            tf.constant(new int[] {0, 0, 0}),
            tf.constant(new int[] {-1, predictions, hidden}));
    Operand<TInt32> next =
        tf.slice(ids, tf.constant(new int[] {0, 1}), tf.constant(new int[] {-1, predictions}));
    Operand<TInt32> counts = tf.math.maximum(tf.math.sub(lengths, tf.constant(1)), tf.constant(0));
    Operand<TFloat32> logits = auxiliaryLmHead.applyToSequence(tf, forward, predictions);
    int vocabularySize = (int) auxiliaryLmHead.kernel().shape().size(1);
    return Losses.sequenceCrossEntropy(tf, logits, next, counts, predictions, vocabularySize)
        .loss();
  }

  /** Returns the scope of this network's head: lm_head, classifier_head or tagger_head. */
  public String headScope() {
    switch (config.getTask()) {
      case LANGUAGE_MODEL:
        return LM_HEAD;
      case TAGGER:
        return TAGGER_HEAD;
      default:
        return CLASSIFIER_HEAD;
    }
  }

  /** Returns class logits {@code [B, C]} from encoder outputs {@code [B, T, D*H]}. */
  public Operand<TFloat32> classifierLogits(
      Ops tf, Operand<TFloat32> outputs, Operand<TInt32> lengths, int timeSteps) {
    Operand<TFloat32> pooled = pool(tf, outputs, lengths, timeSteps);
    if (headHidden != null) {
      pooled = tf.nn.relu(headHidden.apply(tf, pooled));
    }
    return head.apply(tf, pooled);
  }

  private int pooledSize(Pooling pooling) {
    return pooling == Pooling.CONCAT_POOLING ? 3 * encoderOutputSize() : encoderOutputSize();
  }

  /** Pools {@code [B, T, K]} outputs over each row's real steps into {@code [B, K']}. */
  Operand<TFloat32> pool(
      Ops tf, Operand<TFloat32> outputs, Operand<TInt32> lengths, int timeSteps) {
    switch (config.getPooling()) {
      case LAST:
        return last(tf, outputs, lengths);
      case MEAN:
        return SequencePooling.mean(tf, outputs, lengths, timeSteps);
      case MAX:
        return SequencePooling.max(tf, outputs, lengths, timeSteps);
      case CONCAT_POOLING:
        return tf.concat(
            List.of(
                last(tf, outputs, lengths),
                SequencePooling.mean(tf, outputs, lengths, timeSteps),
                SequencePooling.max(tf, outputs, lengths, timeSteps)),
            tf.constant(1));
      default:
        throw new IllegalArgumentException("pooling " + config.getPooling() + " is not supported");
    }
  }

  /**
   * Returns the last output of each direction: step {@code length-1} of the forward half and, for a
   * bidirectional encoder, step 0 of the backward half, where the backward direction ends.
   */
  private Operand<TFloat32> last(Ops tf, Operand<TFloat32> outputs, Operand<TInt32> lengths) {
    if (!config.getBidirectional()) {
      return SequencePooling.last(tf, outputs, lengths);
    }
    var halves = tf.split(tf.constant(2), outputs, 2L);
    @SuppressWarnings("unchecked")
    Operand<TFloat32> forward = (Operand<TFloat32>) halves.output().get(0);
    @SuppressWarnings("unchecked")
    Operand<TFloat32> backward = (Operand<TFloat32>) halves.output().get(1);
    return tf.concat(
        List.of(
            SequencePooling.last(tf, forward, lengths),
            SequencePooling.first(tf, backward, lengths)),
        tf.constant(1));
  }

  /** Encoder outputs {@code [B, T, D*H]} and final state parts, each {@code [B, H]}. */
  public record Encoded(Operand<TFloat32> outputs, List<Operand<TFloat32>> finalState) {}
}
