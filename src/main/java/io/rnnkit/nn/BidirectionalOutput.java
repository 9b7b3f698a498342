package io.rnnkit.nn;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Result of a {@link Bidirectional} layer.
 *
 * @param outputs merged outputs, {@code [B, T, 2H]} for {@link MergeMode#CONCAT} and {@code [B, T,
 *     H]} otherwise, 0 at padded steps
 * @param forwardState state of the forward layer after token {@code L-1}
 * @param backwardState state of the backward layer after it has read token 0 (its last step), which
 *     equals the backward half of output row 0, not of row {@code L-1}
 */
public record BidirectionalOutput<S extends RnnState>(
    Operand<TFloat32> outputs, S forwardState, S backwardState) {}
