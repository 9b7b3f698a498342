package io.rnnkit.export;

import static io.rnnkit.export.ServingNames.LABEL;
import static io.rnnkit.export.ServingNames.LABEL_ID;
import static io.rnnkit.export.ServingNames.LENGTHS;
import static io.rnnkit.export.ServingNames.LOG_LIKELIHOOD;
import static io.rnnkit.export.ServingNames.LOG_PROBABILITIES;
import static io.rnnkit.export.ServingNames.PREDICT_METHOD;
import static io.rnnkit.export.ServingNames.PROBABILITIES;
import static io.rnnkit.export.ServingNames.SERVING_DEFAULT;
import static io.rnnkit.export.ServingNames.STATE;
import static io.rnnkit.export.ServingNames.STEP;
import static io.rnnkit.export.ServingNames.TAGS;
import static io.rnnkit.export.ServingNames.TAG_PROBABILITIES;
import static io.rnnkit.export.ServingNames.TOKEN;
import static io.rnnkit.export.ServingNames.TOKENS;

import io.rnnkit.model.Network;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gather;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Builds the inference ops and signatures of each task into an export graph whose variables and
 * vocabulary table already exist. No op gets a device or a dropout.
 */
final class ServingGraphs {

  private final Ops tf;
  private final Network network;
  private final SavedModelExporter.Tables tables;
  private final int maxLength;
  private final int vocabularySize;

  ServingGraphs(Ops tf, Network network, SavedModelExporter.Tables tables, int vocabularySize) {
    this.tf = tf;
    this.network = network;
    this.tables = tables;
    this.maxLength = network.config().getMaxLength();
    this.vocabularySize = vocabularySize;
  }

  /** Builds {@code serving_default} of a classifier. */
  List<Signature> classifier(List<String> labels) {
    SequenceInputs in = sequenceInputs();
    Network.Encoded encoded = network.encode(tf, in.ids(), in.lengths(), maxLength);
    Operand<TFloat32> logits =
        network.classifierLogits(tf, encoded.outputs(), in.lengths(), maxLength);
    Operand<TFloat32> probabilities = tf.withName(PROBABILITIES).nn.softmax(logits);
    Operand<TInt64> labelId = tf.withName(LABEL_ID).math.argMax(logits, tf.constant(1));
    Operand<TString> label = tf.withName(LABEL).gather(names(labels), labelId, tf.constant(0));
    return List.of(
        in.signature(SERVING_DEFAULT)
            .output(PROBABILITIES, probabilities)
            .output(LABEL, label)
            .output(LABEL_ID, labelId)
            .build());
  }

  /** Builds {@code serving_default} of a tagger. */
  List<Signature> tagger(List<String> tags) {
    SequenceInputs in = sequenceInputs();
    Network.Encoded encoded = network.encode(tf, in.ids(), in.lengths(), maxLength);
    Operand<TFloat32> logits = network.taggerLogits(tf, encoded.outputs(), maxLength);
    Operand<TBool> real = positionMask(in.lengths());
    Operand<TFloat32> probabilities =
        tf.math.mul(tf.nn.softmax(logits), tf.expandDims(toFloat(real), tf.constant(2)));
    Operand<TInt64> tagIds = tf.math.argMax(logits, tf.constant(2));
    Operand<TString> tagNames = tf.gather(names(tags), tagIds, tf.constant(0));
    Operand<TString> padded =
        tf.select(real, tagNames, tf.fill(tf.shape(tagNames), tf.constant("")));
    return List.of(
        in.signature(SERVING_DEFAULT)
            .output(TAGS, tf.withName(TAGS).identity(in.cutToWidth(padded)))
            .output(
                TAG_PROBABILITIES,
                tf.withName(TAG_PROBABILITIES).identity(in.cutToWidth(probabilities)))
            .build());
  }

  /** Builds {@code serving_default} (whole sequences) and {@code step} of a language model. */
  List<Signature> languageModel() {
    return List.of(languageModelSequences(), languageModelStep());
  }

  private Signature languageModelSequences() {
    SequenceInputs in = sequenceInputs();
    Network.Encoded encoded = network.encode(tf, in.ids(), in.lengths(), maxLength);
    Operand<TFloat32> logProbabilities =
        tf.nn.logSoftmax(network.languageModelLogits(tf, encoded.outputs(), maxLength));
    Operand<TInt32> nextIds =
        tf.pad(
            tf.slice(in.ids(), tf.constant(new int[] {0, 1}), tf.constant(new int[] {-1, -1})),
            tf.constant(new int[][] {{0, 0}, {0, 1}}),
            tf.constant(0));
    Operand<TFloat32> nextLogProbabilities =
        tf.gather(logProbabilities, nextIds, tf.constant(2), Gather.batchDims(2L));
    Operand<TInt32> scored =
        tf.math.maximum(tf.math.sub(in.lengths(), tf.constant(1)), tf.constant(0));
    Operand<TFloat32> logLikelihood =
        tf.withName(LOG_LIKELIHOOD)
            .reduceSum(
                tf.math.mul(nextLogProbabilities, toFloat(positionMask(scored))), tf.constant(1));
    return in.signature(SERVING_DEFAULT)
        .output(
            LOG_PROBABILITIES,
            tf.withName(LOG_PROBABILITIES).identity(in.cutToWidth(logProbabilities)))
        .output(LOG_LIKELIHOOD, logLikelihood)
        .build();
  }

  private Signature languageModelStep() {
    Ops step = tf.withSubScope(STEP);
    int hidden = network.config().getHiddenSize();
    int parts = network.statePartCount();
    Placeholder<TString> token =
        step.withName(TOKEN).placeholder(TString.class, Placeholder.shape(Shape.of(-1)));
    Placeholder<TFloat32> state =
        step.withName(STATE)
            .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, (long) parts * hidden)));
    Operand<TInt32> ids = step.expandDims(tables.lookup(step, token), step.constant(1));
    Operand<TInt32> lengths =
        step.dtypes.cast(step.math.notEqual(token, step.constant("")), TInt32.class);
    List<Operand<TFloat32>> initial = splitState(step, state, parts);
    Network.Encoded encoded = network.encode(step, ids, lengths, 1, initial, false, null);
    Operand<TFloat32> logits =
        step.reshape(
            network.languageModelLogits(step, encoded.outputs(), 1),
            step.constant(new long[] {-1, vocabularySize}));
    Operand<TFloat32> logProbabilities = step.withName(LOG_PROBABILITIES).nn.logSoftmax(logits);
    List<Operand<TFloat32>> finalParts = encoded.finalState();
    // ConcatV2 needs two inputs or more; a one-layer GRU or simple RNN has one state part.
    Operand<TFloat32> nextState =
        finalParts.size() == 1
            ? step.withName("next_state").identity(finalParts.get(0))
            : step.withName("next_state").concat(finalParts, step.constant(1));
    return Signature.builder(STEP)
        .methodName(PREDICT_METHOD)
        .input(TOKEN, token)
        .input(STATE, state)
        .output(LOG_PROBABILITIES, logProbabilities)
        .output(STATE, nextState)
        .build();
  }

  private static List<Operand<TFloat32>> splitState(Ops tf, Operand<TFloat32> state, int parts) {
    if (parts == 1) {
      return List.of(state);
    }
    List<Operand<TFloat32>> split = new ArrayList<>();
    for (var output : tf.split(tf.constant(1), state, (long) parts).output()) {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> part = (Operand<TFloat32>) output;
      split.add(part);
    }
    return split;
  }

  private SequenceInputs sequenceInputs() {
    Placeholder<TString> tokens =
        tf.withName(TOKENS).placeholder(TString.class, Placeholder.shape(Shape.of(-1, -1)));
    Operand<TInt32> width = tf.gather(tf.shape(tokens), tf.constant(1), tf.constant(0));
    Operand<TInt32> nonEmpty =
        tf.reduceSum(
            tf.dtypes.cast(tf.math.notEqual(tokens, tf.constant("")), TInt32.class),
            tf.constant(1));
    // A fed value of -1 (the default) selects the derived length. TensorFlow Serving feeds the
    // signature's default value, not the graph default, for an input the request leaves out.
    Operand<TInt32> fed =
        tf.withName(LENGTHS)
            .placeholderWithDefault(tf.constant(new int[] {DERIVE_LENGTH}), Shape.of(-1));
    Operand<TInt32> chosen = tf.select(tf.math.less(fed, tf.constant(0)), nonEmpty, fed);
    Operand<TInt32> usable = tf.math.minimum(width, tf.constant(maxLength));
    Operand<TInt32> lengths = tf.math.minimum(tf.math.maximum(chosen, tf.constant(0)), usable);
    Operand<TInt32> ids = SavedModelExporter.fixLength(tf, tables.lookup(tf, tokens), maxLength);
    return new SequenceInputs(tf, tokens, fed, ids, lengths, usable);
  }

  /** Value of {@code lengths} that makes the graph count the row's non-empty tokens. */
  static final int DERIVE_LENGTH = -1;

  private Operand<TBool> positionMask(Operand<TInt32> lengths) {
    Operand<TInt32> positions = tf.range(tf.constant(0), tf.constant(maxLength), tf.constant(1));
    return tf.math.less(
        tf.expandDims(positions, tf.constant(0)), tf.expandDims(lengths, tf.constant(1)));
  }

  private Operand<TFloat32> toFloat(Operand<TBool> mask) {
    return tf.dtypes.cast(mask, TFloat32.class);
  }

  private Operand<TString> names(List<String> values) {
    return tf.constant(NdArrays.vectorOfObjects(values.toArray(String[]::new)));
  }

  /**
   * Inputs of a whole-sequence signature: the placeholders, ids cut or padded to {@code
   * max_length}, lengths clamped to {@code [0, min(T, max_length)]}, and that width.
   */
  private record SequenceInputs(
      Ops tf,
      Placeholder<TString> tokens,
      Operand<TInt32> fedLengths,
      Operand<TInt32> ids,
      Operand<TInt32> lengths,
      Operand<TInt32> width) {

    Signature.Builder signature(String key) {
      return Signature.builder(key)
          .methodName(PREDICT_METHOD)
          .input(TOKENS, tokens)
          .input(LENGTHS, fedLengths);
    }

    /** Keeps the first {@code min(T, max_length)} positions of a {@code [B, max_length, ...]}. */
    <T extends org.tensorflow.types.family.TType> Operand<T> cutToWidth(Operand<T> values) {
      int rank = values.shape().numDimensions();
      int[] begin = new int[rank];
      Operand<TInt32> size =
          rank == 2
              ? tf.stack(List.of(tf.constant(-1), width))
              : tf.stack(List.of(tf.constant(-1), width, tf.constant(-1)));
      return tf.slice(values, tf.constant(begin), size);
    }
  }
}
