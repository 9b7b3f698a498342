package io.rnnkit.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** State of a cell whose only state is its hidden state {@code h [B, H]} (GRU, SimpleRNN). */
public record HiddenState(Operand<TFloat32> hidden) implements RnnState {

  @Override
  public List<Operand<TFloat32>> parts() {
    return List.of(hidden);
  }

  /** Rebuilds a state from its one part; {@code what} names the state in the error message. */
  static HiddenState of(List<Operand<TFloat32>> parts, String what) {
    if (parts.size() != 1) {
      throw new IllegalArgumentException(
          what + " must have 1 part (hidden), got " + parts.size() + " parts");
    }
    return new HiddenState(parts.get(0));
  }
}
