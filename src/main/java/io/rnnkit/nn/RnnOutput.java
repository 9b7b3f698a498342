package io.rnnkit.nn;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Result of running a recurrent layer: the output sequence {@code [B, T, H]} (0 at padded steps)
 * and the state after each row's last real step.
 */
public record RnnOutput<S extends RnnState>(Operand<TFloat32> outputs, S finalState) {}
