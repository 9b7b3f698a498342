package io.rnnkit.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * State of an {@link LstmCell}: hidden state {@code h [B, H]} and cell state {@code c [B, H]}.
 * {@link #parts()} returns {@code [h, c]}, the order Keras uses for {@code initial_state}.
 */
public record LstmState(Operand<TFloat32> hidden, Operand<TFloat32> cell) implements RnnState {

  @Override
  public List<Operand<TFloat32>> parts() {
    return List.of(hidden, cell);
  }
}
