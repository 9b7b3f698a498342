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
}
