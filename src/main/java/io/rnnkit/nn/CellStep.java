package io.rnnkit.nn;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Output {@code [B, H]} and new state of one cell step. */
public record CellStep<S extends RnnState>(Operand<TFloat32> output, S state) {}
