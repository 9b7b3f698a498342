package io.rnnkit.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Result of a {@link RecurrentEncoder}.
 *
 * @param outputs outputs of the last layer after output dropout, {@code [B, T, D*H]} (or {@code [B,
 *     T, H]} for a non-concatenating merge mode), 0 at padded steps
 * @param states final states, one entry per layer from the bottom up
 */
public record EncoderOutput(Operand<TFloat32> outputs, List<LayerState> states) {

  /**
   * Final states of one layer.
   *
   * @param forward state after token {@code L-1}
   * @param backward state of the backward direction after it has read token 0, or {@code null} for
   *     a unidirectional layer
   */
  public record LayerState(RnnState forward, RnnState backward) {}
}
