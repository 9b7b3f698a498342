package io.rnnkit.nn;

import io.rnnkit.config.CellKind;

/** Recurrent cell kind of a {@link RecurrentEncoder}, with the Keras layer name of each. */
public enum CellType {
  /** {@link LstmCell}, Keras layer name {@code lstm}. */
  LSTM("lstm"),
  /** {@link GruCell}, Keras layer name {@code gru}. */
  GRU("gru"),
  /** {@link SimpleRnnCell} with {@code tanh}, Keras layer name {@code simple_rnn}. */
  SIMPLE_RNN("simple_rnn");

  private final String layerName;

  CellType(String layerName) {
    this.layerName = layerName;
  }

  /** Returns the Keras name of the first layer of this kind, for example {@code "lstm"}. */
  public String layerName() {
    return layerName;
  }

  /** Returns the type of a configuration's {@link CellKind}. */
  public static CellType of(CellKind kind) {
    return switch (kind) {
      case LSTM -> LSTM;
      case GRU -> GRU;
      case SIMPLE_RNN -> SIMPLE_RNN;
      default ->
          throw new IllegalArgumentException("cell must be LSTM, GRU or SIMPLE_RNN, got " + kind);
    };
  }
}
