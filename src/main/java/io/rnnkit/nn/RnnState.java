package io.rnnkit.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Recurrent state of one cell kind; each part has shape {@code [B, H]}. */
public interface RnnState {

  /** Returns the hidden state {@code h [B, H]}, which is also the cell's output. */
  Operand<TFloat32> hidden();

  /** Returns every part of the state in a fixed order, for masking and for feeding it back. */
  List<Operand<TFloat32>> parts();
}
