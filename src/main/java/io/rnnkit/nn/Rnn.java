package io.rnnkit.nn;

import io.rnnkit.config.MatmulPrecision;
import io.rnnkit.config.RecurrentKernel;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Runs a {@link RnnCell} over {@code T} time steps, unrolled into the graph, with {@code lengths
 * [B]} masks. It gives the same numbers as TensorFlow's {@code static_rnn} with {@code
 * sequence_length}, and matches Keras {@code RNN(cell)} with a mask.
 *
 * <p>For a row of length {@code L}: steps {@code t < L} run the cell; at {@code t >= L} the output
 * is exactly 0 and the state is copied through, so the final state is the state after step {@code
 * L-1}. Inputs at padded steps are replaced by 0 before the cell reads them, so a non-finite
 * padding value cannot reach a gradient.
 *
 * <p>With {@link #goBackwards(boolean)}, each row's first {@code L} steps are reversed ({@code
 * ReverseSequence}, padding stays in place), the cell runs over them, and the outputs are reversed
 * back, so output {@code t} belongs to input token {@code t}. NOTE: Keras {@code go_backwards=True}
 * instead returns the outputs in reversed order.
 *
 * <p>The ops of the recurrence go under a name scope named after the cell. TensorFlow Java makes
 * each new scope name unique, so they may land under {@code lstm_1} when {@code lstm} is taken by
 * the variables: only the variable names of {@link ParameterStore} are fixed.
 *
 * @param <S> the state type of the cell
 */
public final class Rnn<S extends RnnState> {

  private final RnnCell<S> cell;
  private boolean goBackwards;
  private RecurrentKernel kernel = RecurrentKernel.UNROLLED;

  private Rnn(RnnCell<S> cell) {
    this.cell = cell;
  }

  /** Returns a layer that runs {@code cell} forwards. */
  public static <S extends RnnState> Rnn<S> of(RnnCell<S> cell) {
    return new Rnn<>(cell);
  }

  /** Sets whether the layer reads each row from its last real token to its first. */
  public Rnn<S> goBackwards(boolean value) {
    this.goBackwards = value;
    return this;
  }

  /**
   * Sets the kernel of the recurrence. {@link RecurrentKernel#FUSED} runs an {@link LstmCell} on
   * {@link FusedLstm} and a {@link GruCell} without {@code resetAfter} on {@link FusedGru}, both
   * only with float32 products, without recurrent dropout and without state resets, because the
   * fused ops have no bfloat16 variant and no mask inputs. Every other case is unrolled, including
   * GRUs with {@code resetAfter}, whose step the fused GRU op does not compute. {@link
   * RecurrentKernel#RECURRENT_KERNEL_AUTO} picks with {@link #resolve(RecurrentKernel)}.
   */
  public Rnn<S> kernel(RecurrentKernel value) {
    if (value == null || value == RecurrentKernel.UNRECOGNIZED) {
      throw new IllegalArgumentException("kernel must be AUTO, UNROLLED or FUSED, got " + value);
    }
    this.kernel = resolve(value);
    return this;
  }

  /**
   * Returns the kernel that {@code AUTO} stands for: {@link RecurrentKernel#UNROLLED}, which
   * measured faster than the fused op on 2-core CPUs (docs/benchmarks.md, "Speed").
   */
  public static RecurrentKernel resolve(RecurrentKernel value) {
    return value == RecurrentKernel.RECURRENT_KERNEL_AUTO ? RecurrentKernel.UNROLLED : value;
  }

  /**
   * Smallest hidden size at which {@link #forTraining()} builds the transposed recurrent product.
   * In paired training steps on a 2-core AVX-512 CPU (LSTM, B 32, T 35), the transposed form was 11
   * % faster at H 512 and 6 % faster at H 256. At H 128 it was 6 % slower, because there the extra
   * transposes cost more than the slow gradient product they replace.
   */
  public static final int TRANSPOSED_PRODUCT_MIN_HIDDEN = 256;

  /**
   * Returns a layer over the same variables for graphs that take gradients. From {@link
   * #TRANSPOSED_PRODUCT_MIN_HIDDEN} units on, its cell builds the recurrent product in the
   * transposed form ({@link RnnCell#withTransposedRecurrentProduct}), which gives the same outputs
   * and runs the backward pass faster on CPUs. Smaller cells, direction and kernel are kept.
   */
  public Rnn<S> forTraining() {
    if (cell.hiddenSize() < TRANSPOSED_PRODUCT_MIN_HIDDEN) {
      return this;
    }
    Rnn<S> copy = new Rnn<>(cell.withTransposedRecurrentProduct(true));
    copy.goBackwards = goBackwards;
    copy.kernel = kernel;
    return copy;
  }

  /** Returns the cell this layer runs. */
  public RnnCell<S> cell() {
    return cell;
  }

  /**
   * Builds the unrolled recurrence.
   *
   * @param inputs {@code [B, T, I]}
   * @param lengths {@code [B]} int32, each in {@code [0, T]}
   * @param timeSteps {@code T}, the static number of steps to unroll
   * @param initialState state before the first step, or {@code null} for zeros
   * @param recurrentMask variational dropout mask {@code [B, H]} used at every step, or {@code
   *     null}
   * @return outputs {@code [B, T, H]} and the final state
   */
  public RnnOutput<S> apply(
      Ops tf,
      Operand<TFloat32> inputs,
      Operand<TInt32> lengths,
      int timeSteps,
      S initialState,
      Operand<TFloat32> recurrentMask) {
    return apply(tf, inputs, lengths, timeSteps, initialState, recurrentMask, null);
  }

  /**
   * Builds the unrolled recurrence with state resets inside the sequence, as a stream of several
   * documents needs: where {@code resetBefore[b, t]} is true, row {@code b}'s state is zeroed
   * before step {@code t} reads its input. Only the forward direction of the unrolled kernel
   * supports it.
   *
   * @param resetBefore bool {@code [B, T]}, or {@code null} for no reset
   */
  public RnnOutput<S> apply(
      Ops tf,
      Operand<TFloat32> inputs,
      Operand<TInt32> lengths,
      int timeSteps,
      S initialState,
      Operand<TFloat32> recurrentMask,
      Operand<TBool> resetBefore) {
    if (resetBefore != null && goBackwards) {
      throw new IllegalArgumentException(
          "resetBefore must be null for a layer that reads backwards, got a reset mask");
    }
    Checks.positive("timeSteps", timeSteps);
    checkInputs(inputs, lengths, timeSteps);
    Ops scoped = Scopes.under(tf, cell.name());
    Operand<TFloat32> ordered =
        goBackwards ? reverseWithinLengths(scoped, inputs, lengths) : inputs;

    Operand<TInt32> batchSize = batchSize(scoped, lengths);
    Operand<TBool> stepMask = stepMask(scoped, lengths, timeSteps);
    S start = initialState == null ? cell.zeroState(scoped, batchSize) : initialState;
    if (runsFused(recurrentMask, resetBefore)) {
      return applyFused(scoped, ordered, stepMask, lengths, timeSteps, start);
    }
    Operand<TFloat32> projected = projectAllSteps(scoped, ordered, stepMask, batchSize, timeSteps);
    List<Operand<TFloat32>> stepInputs = unstackTime(scoped, projected, timeSteps);
    List<Operand<TBool>> masks = unstackTime(scoped, stepMask, timeSteps);
    List<Operand<TBool>> resets =
        resetBefore == null ? null : unstackTime(scoped, resetBefore, timeSteps);

    S state = start;
    List<Operand<TFloat32>> outputs = new ArrayList<>(timeSteps);
    // One scope for all steps: TensorFlow Java's withSubScope scans every op of the graph, so a
    // scope per step made building quadratic in T once a graph held several unrolled copies.
    for (int t = 0; t < timeSteps; t++) {
      if (resets != null) {
        state = keepWhereInactive(scoped, resets.get(t), cell.zeroState(scoped, batchSize), state);
      }
      CellStep<S> step = cell.step(scoped, stepInputs.get(t), state, recurrentMask);
      Operand<TBool> active = masks.get(t);
      outputs.add(selectRows(scoped, active, step.output(), scoped.zerosLike(step.output())));
      state = keepWhereInactive(scoped, active, step.state(), state);
    }
    Operand<TFloat32> sequence = scoped.stack(outputs, org.tensorflow.op.core.Stack.axis(1L));
    if (goBackwards) {
      sequence = reverseWithinLengths(scoped, sequence, lengths);
    }
    return new RnnOutput<>(sequence, state);
  }

  /** Returns whether {@link #kernel} is FUSED and a fused op computes this cell and call. */
  private boolean runsFused(Operand<TFloat32> recurrentMask, Operand<TBool> resetBefore) {
    boolean fusedCell =
        cell instanceof LstmCell || (cell instanceof GruCell gru && !gru.resetAfter());
    return kernel == RecurrentKernel.FUSED
        && recurrentMask == null
        && resetBefore == null
        && fusedCell
        && cell.matmulPrecision() == MatmulPrecision.FLOAT32;
  }

  /** Builds the recurrence on {@link FusedLstm} or {@link FusedGru}. */
  private RnnOutput<S> applyFused(
      Ops tf,
      Operand<TFloat32> ordered,
      Operand<TBool> stepMask,
      Operand<TInt32> lengths,
      int timeSteps,
      S start) {
    Operand<TFloat32> clean =
        tf.select(tf.expandDims(stepMask, tf.constant(2)), ordered, tf.zerosLike(ordered));
    RnnOutput<? extends RnnState> fused =
        cell instanceof LstmCell lstm
            ? FusedLstm.apply(tf, lstm, clean, stepMask, lengths, timeSteps, (LstmState) start)
            : FusedGru.apply(tf, (GruCell) cell, clean, stepMask, timeSteps, (HiddenState) start);
    @SuppressWarnings("unchecked")
    S finalState = (S) fused.finalState();
    Operand<TFloat32> outputs =
        goBackwards ? reverseWithinLengths(tf, fused.outputs(), lengths) : fused.outputs();
    return new RnnOutput<>(outputs, finalState);
  }

  /** Runs the layer from a zero state without recurrent dropout. */
  public RnnOutput<S> apply(
      Ops tf, Operand<TFloat32> inputs, Operand<TInt32> lengths, int timeSteps) {
    return apply(tf, inputs, lengths, timeSteps, null, null);
  }

  private void checkInputs(Operand<TFloat32> inputs, Operand<TInt32> lengths, int timeSteps) {
    var inputShape = inputs.shape();
    if (inputShape.numDimensions() != 3 && !inputShape.isUnknown()) {
      throw new IllegalArgumentException(
          "inputs must have rank 3 [B, T, I], got shape " + inputShape);
    }
    if (inputShape.numDimensions() == 3) {
      long features = inputShape.size(2);
      if (features >= 0 && features != cell.inputSize()) {
        throw new IllegalArgumentException(
            "inputs of "
                + cell.name()
                + " must have last dimension I = "
                + cell.inputSize()
                + " to match its kernel, got shape "
                + inputShape);
      }
      long steps = inputShape.size(1);
      if (steps >= 0 && steps != timeSteps) {
        throw new IllegalArgumentException(
            "inputs have " + steps + " time steps, timeSteps is " + timeSteps);
      }
    }
    var lengthShape = lengths.shape();
    if (!lengthShape.isUnknown() && lengthShape.numDimensions() != 1) {
      throw new IllegalArgumentException("lengths must have rank 1 [B], got shape " + lengthShape);
    }
  }

  private Operand<TFloat32> projectAllSteps(
      Ops tf,
      Operand<TFloat32> inputs,
      Operand<TBool> stepMask,
      Operand<TInt32> batchSize,
      int timeSteps) {
    Operand<TFloat32> rows = tf.reshape(inputs, tf.constant(new int[] {-1, cell.inputSize()}));
    Operand<TBool> rowMask = tf.reshape(stepMask, tf.constant(new int[] {-1}));
    Operand<TFloat32> cleanRows = selectRows(tf, rowMask, rows, tf.zerosLike(rows));
    Operand<TFloat32> projected = cell.projectInputs(tf, cleanRows);
    Operand<TInt32> shape = tf.stack(List.of(batchSize, tf.constant(timeSteps), tf.constant(-1)));
    return tf.reshape(projected, shape);
  }

  private S keepWhereInactive(Ops tf, Operand<TBool> active, S next, S previous) {
    List<Operand<TFloat32>> nextParts = next.parts();
    List<Operand<TFloat32>> previousParts = previous.parts();
    List<Operand<TFloat32>> kept = new ArrayList<>(nextParts.size());
    for (int i = 0; i < nextParts.size(); i++) {
      kept.add(selectRows(tf, active, nextParts.get(i), previousParts.get(i)));
    }
    return cell.stateOf(kept);
  }

  /**
   * Returns rows of {@code whereTrue} where {@code rowMask} is true and rows of {@code whereFalse}
   * elsewhere. {@code rowMask} is {@code [N]}, the values {@code [N, K]}.
   */
  static Operand<TFloat32> selectRows(
      Ops tf, Operand<TBool> rowMask, Operand<TFloat32> whereTrue, Operand<TFloat32> whereFalse) {
    return tf.select(tf.expandDims(rowMask, tf.constant(1)), whereTrue, whereFalse);
  }

  /** Returns {@code [B, T]}, true where {@code t < lengths[b]}. */
  static Operand<TBool> stepMask(Ops tf, Operand<TInt32> lengths, int timeSteps) {
    Operand<TInt32> steps = tf.range(tf.constant(0), tf.constant(timeSteps), tf.constant(1));
    return tf.math.less(
        tf.expandDims(steps, tf.constant(0)), tf.expandDims(lengths, tf.constant(1)));
  }

  static Operand<TInt32> batchSize(Ops tf, Operand<TInt32> lengths) {
    return tf.reshape(tf.shape(lengths), tf.constant(new int[0]));
  }

  static Operand<TFloat32> zeros(Ops tf, Operand<TInt32> batchSize, int hiddenSize) {
    Operand<TInt32> shape = tf.stack(List.of(batchSize, tf.constant(hiddenSize)));
    return tf.fill(shape, tf.constant(0f));
  }

  /** Reverses the first {@code lengths[b]} steps of each row of a {@code [B, T, ...]} tensor. */
  static <T extends org.tensorflow.types.family.TType> Operand<T> reverseWithinLengths(
      Ops tf, Operand<T> sequence, Operand<TInt32> lengths) {
    return tf.reverseSequence(
        sequence, lengths, 1L, org.tensorflow.op.core.ReverseSequence.batchDim(0L));
  }

  /** Splits a {@code [B, T, ...]} tensor into its {@code T} steps. */
  static <T extends org.tensorflow.types.family.TType> List<Operand<T>> unstackTime(
      Ops tf, Operand<T> sequence, int timeSteps) {
    var unstacked = tf.unstack(sequence, (long) timeSteps, org.tensorflow.op.core.Unstack.axis(1L));
    List<Operand<T>> steps = new ArrayList<>(timeSteps);
    unstacked.forEach(steps::add);
    return steps;
  }
}
