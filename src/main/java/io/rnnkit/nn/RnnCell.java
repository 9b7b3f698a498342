package io.rnnkit.nn;

import io.rnnkit.config.MatmulPrecision;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * One recurrent cell computing one time step. {@link Rnn} runs a cell over {@code T} steps.
 *
 * <p>A step is split in two so that the input projection of all steps can run as one matrix product
 * before the recurrence: {@link #projectInputs} computes {@code x W + b} for any number of rows,
 * and {@link #step} adds the recurrent part for one step.
 *
 * @param <S> the state type of this cell
 */
public interface RnnCell<S extends RnnState> {

  /** Returns the variable scope of this cell, for example {@code "lstm"}. */
  String name();

  /** Returns the input size {@code I}. */
  int inputSize();

  /** Returns the hidden size {@code H}. */
  int hiddenSize();

  /**
   * Computes the input projection {@code x W + b}.
   *
   * @param inputs {@code [N, I]}, where {@code N} is any number of rows
   * @return {@code [N, gates * H]}
   */
  Operand<TFloat32> projectInputs(Ops tf, Operand<TFloat32> inputs);

  /**
   * Runs one step.
   *
   * @param projectedInput this step's rows of {@link #projectInputs}, {@code [B, gates * H]}
   * @param state the state before this step
   * @param recurrentMask dropout mask {@code [B, H]} applied to the hidden state where it enters
   *     the recurrent product, or {@code null} for none
   * @return the output {@code [B, H]} and the new state
   */
  CellStep<S> step(
      Ops tf, Operand<TFloat32> projectedInput, S state, Operand<TFloat32> recurrentMask);

  /** Returns a state of zeros for {@code batchSize} rows. */
  S zeroState(Ops tf, Operand<TInt32> batchSize);

  /**
   * Returns the number format of the input and recurrent products: FLOAT32 unless set by {@link
   * #withMatmulPrecision}.
   */
  MatmulPrecision matmulPrecision();

  /**
   * Returns a cell with the same variables whose input and recurrent products run in {@code
   * precision}.
   */
  RnnCell<S> withMatmulPrecision(MatmulPrecision precision);

  /**
   * Returns whether the recurrent product is built in the transposed form, whose gradients run
   * faster on CPUs: false unless set by {@link #withTransposedRecurrentProduct}. Both forms compute
   * the same product.
   */
  boolean transposedRecurrentProduct();

  /**
   * Returns a cell with the same variables whose recurrent product is built in the transposed form
   * ({@code value} true) or the plain one. {@link Rnn#forTraining()} sets it for training graphs of
   * cells with {@link Rnn#TRANSPOSED_PRODUCT_MIN_HIDDEN} units or more.
   */
  RnnCell<S> withTransposedRecurrentProduct(boolean value);

  /** Rebuilds a state from the list that {@link RnnState#parts()} returns. */
  S stateOf(List<Operand<TFloat32>> parts);
}
