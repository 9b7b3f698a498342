package io.rnnkit.checkpoint;

/**
 * The source layouts that rnnkit converts recurrent-cell weights from, each with a one-line
 * description for import reports. The target is always the Keras layout: LSTM {@code kernel [I,
 * 4H]}, {@code recurrent_kernel [H, 4H]}, {@code bias [4H]} in gate order i, f, c, o; GRU gate
 * order z, r, h with {@code bias [2, 3H]} when {@code reset_after=true} and {@code [3H]} otherwise;
 * SimpleRNN {@code kernel [I, H]}, {@code recurrent_kernel [H, H]}, {@code bias [H]}.
 */
public enum LayoutTranslation {
  KERAS("Keras layout, copied unchanged"),
  TF1_LSTM_CELL(
      "TF1 LSTMCell kernel [I+H,4H] gates i,j,f,o → kernel/recurrent_kernel in gate order i,f,c,o,"
          + " forget_bias folded into the f bias"),
  TF1_GRU_CELL(
      "TF1 GRUCell gates [I+H,2H] (r,u) + candidate [I+H,H] → kernel/recurrent_kernel in gate"
          + " order z,r,h with z = u, reset_after=false"),
  CUDNN_LSTM_CANONICAL(
      "cuDNN canonical LSTM: 8 matrices [H,I]/[H,H] gates i,f,c,o transposed into"
          + " kernel/recurrent_kernel, bias = input bias + recurrent bias"),
  CUDNN_GRU_CANONICAL(
      "cuDNN canonical GRU: 6 matrices [H,I]/[H,H] gates r,z,h transposed and reordered to z,r,h,"
          + " input and recurrent biases as bias rows 0 and 1, reset_after=true"),
  CUDNN_RNN_TANH_CANONICAL(
      "cuDNN canonical tanh RNN: 2 matrices [H,I]/[H,H] transposed into"
          + " kernel/recurrent_kernel, bias = input bias + recurrent bias");

  private final String description;

  LayoutTranslation(String description) {
    this.description = description;
  }

  /** Returns the one-line description of the conversion, for import reports. */
  public String description() {
    return description;
  }
}
