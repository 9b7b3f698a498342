package io.rnnkit.export;

/**
 * Signature keys and tensor aliases of the SavedModels that rnnkit exports. Clients of TensorFlow
 * Serving address inputs and outputs by these aliases.
 */
public final class ServingNames {
  private ServingNames() {}

  /** Key of the signature that reads whole sequences; TensorFlow Serving's default. */
  public static final String SERVING_DEFAULT = "serving_default";

  /** Key of the language model's one-token-at-a-time signature. */
  public static final String STEP = "step";

  /** Method name of every signature: the Predict API of TensorFlow Serving. */
  public static final String PREDICT_METHOD = "tensorflow/serving/predict";

  /** Input: string {@code [B, T]} tokens, padded at the end with {@code ""}. */
  public static final String TOKENS = "tokens";

  /**
   * Input: int32 {@code [B]} number of real tokens per row. Optional: when it is not fed, or a
   * row's value is negative, the row's length is the number of non-empty tokens.
   */
  public static final String LENGTHS = "lengths";

  /** Classifier output: float {@code [B, C]} class probabilities. */
  public static final String PROBABILITIES = "probabilities";

  /** Classifier output: string {@code [B]} most probable label. */
  public static final String LABEL = "label";

  /** Classifier output: int64 {@code [B]} class id of {@link #LABEL}. */
  public static final String LABEL_ID = "label_id";

  /** Tagger output: string {@code [B, T]} most probable tag per token, {@code ""} at padding. */
  public static final String TAGS = "tags";

  /** Tagger output: float {@code [B, T, K]} tag probabilities, 0 at padding. */
  public static final String TAG_PROBABILITIES = "tag_probabilities";

  /**
   * Language-model output: float {@code [B, T, V]} in {@code serving_default}, where entry {@code
   * [b, t, v]} is {@code log p(token t+1 = v | tokens 0..t)}; float {@code [B, V]} in {@code step}.
   */
  public static final String LOG_PROBABILITIES = "log_probabilities";

  /**
   * Language-model output: float {@code [B]}, the sum over {@code t = 0 .. L-2} of {@code log
   * p(token t+1 | tokens 0..t)} for a row of length {@code L}. The first token is not scored.
   */
  public static final String LOG_LIKELIHOOD = "log_likelihood";

  /** Step input: string {@code [B]}, the next token of every stream; {@code ""} skips a stream. */
  public static final String TOKEN = "token";

  /**
   * Step input and output: float {@code [B, P*H]}, the {@code P} encoder state parts of {@code [B,
   * H]} concatenated bottom layer first (an LSTM layer contributes {@code h} then {@code c}).
   */
  public static final String STATE = "state";
}
