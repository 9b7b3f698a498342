package io.rnnkit.nn;

import io.rnnkit.config.RecurrentKernel;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Bidirectional recurrent layer, as Keras {@code Bidirectional(RNN(cell))} with a mask and
 * PyTorch's {@code bidirectional=True} on packed sequences.
 *
 * <p>A forward {@link Rnn} reads each row from token 0 to {@code L-1}. A backward {@link Rnn}
 * reverses the first {@code L} steps of each row ({@code ReverseSequence}), reads them and reverses
 * its outputs back, so that backward output {@code t} has read tokens {@code L-1} down to {@code
 * t}. The two outputs are merged per {@link MergeMode}. Both directions output exactly 0 at padded
 * steps, so the merged output is 0 there in every mode.
 *
 * <p>Variables: the forward cell is named {@code <scope>/forward_<cell>} and the backward cell
 * {@code <scope>/backward_<cell>}, for example {@code bidirectional/forward_lstm/kernel}, as Keras
 * names them.
 *
 * <p>Trap: the backward final state is the state after reading token 0, which is the backward half
 * of output row 0. It is not the backward half of output row {@code L-1}, which has read one token
 * only. Code that pools "the last output" of a bidirectional layer must take the forward half at
 * {@code L-1} and the backward half at 0, or use {@link BidirectionalOutput#backwardState()}.
 *
 * @param <S> the state type of both cells
 */
public final class Bidirectional<S extends RnnState> {

  private final Rnn<S> forward;
  private final Rnn<S> backward;
  private final MergeMode mergeMode;

  private Bidirectional(RnnCell<S> forwardCell, RnnCell<S> backwardCell, MergeMode mergeMode) {
    if (mergeMode == null) {
      throw new IllegalArgumentException("mergeMode must be non-null, got null");
    }
    if (forwardCell.inputSize() != backwardCell.inputSize()
        || forwardCell.hiddenSize() != backwardCell.hiddenSize()) {
      throw new IllegalArgumentException(
          "backward cell must have the forward cell's sizes (I = "
              + forwardCell.inputSize()
              + ", H = "
              + forwardCell.hiddenSize()
              + "), got I = "
              + backwardCell.inputSize()
              + ", H = "
              + backwardCell.hiddenSize());
    }
    this.forward = Rnn.of(forwardCell);
    this.backward = Rnn.of(backwardCell).goBackwards(true);
    this.mergeMode = mergeMode;
  }

  private Bidirectional(Rnn<S> forward, Rnn<S> backward, MergeMode mergeMode) {
    this.forward = forward;
    this.backward = backward;
    this.mergeMode = mergeMode;
  }

  /** Returns the layer with both directions {@link Rnn#forTraining()}, over the same variables. */
  public Bidirectional<S> forTraining() {
    return new Bidirectional<>(forward.forTraining(), backward.forTraining(), mergeMode);
  }

  /** Sets the kernel of both directions; see {@link Rnn#kernel(RecurrentKernel)}. */
  public Bidirectional<S> kernel(RecurrentKernel value) {
    forward.kernel(value);
    backward.kernel(value);
    return this;
  }

  /** Wraps two existing cells; the backward one runs with {@link Rnn#goBackwards(boolean)}. */
  public static <S extends RnnState> Bidirectional<S> of(
      RnnCell<S> forwardCell, RnnCell<S> backwardCell, MergeMode mergeMode) {
    return new Bidirectional<>(forwardCell, backwardCell, mergeMode);
  }

  /**
   * Creates both cells with {@code factory}, named {@code scope/forward_<cellName>} and {@code
   * scope/backward_<cellName>}.
   *
   * @param scope layer scope, for example {@code "bidirectional"}
   * @param cellName name of the wrapped layer, for example {@code "lstm"}
   */
  public static <S extends RnnState> Bidirectional<S> create(
      ParameterStore store,
      String scope,
      String cellName,
      CellFactory<S> factory,
      int inputSize,
      int hiddenSize,
      MergeMode mergeMode) {
    Checks.scopeName("scope", scope);
    Checks.scopeName("cellName", cellName);
    RnnCell<S> forwardCell =
        factory.create(store, scope + "/forward_" + cellName, inputSize, hiddenSize);
    RnnCell<S> backwardCell =
        factory.create(store, scope + "/backward_" + cellName, inputSize, hiddenSize);
    return new Bidirectional<>(forwardCell, backwardCell, mergeMode);
  }

  /**
   * Builds both recurrences and merges their outputs.
   *
   * @param inputs {@code [B, T, I]}
   * @param lengths {@code [B]} int32, each in {@code [0, T]}
   * @param timeSteps {@code T}
   * @param forwardInitial initial forward state, or {@code null} for zeros
   * @param backwardInitial initial backward state, or {@code null} for zeros
   * @param forwardMask recurrent dropout mask {@code [B, H]} of the forward cell, or {@code null}
   * @param backwardMask recurrent dropout mask {@code [B, H]} of the backward cell, or {@code null}
   */
  public BidirectionalOutput<S> apply(
      Ops tf,
      Operand<TFloat32> inputs,
      Operand<TInt32> lengths,
      int timeSteps,
      S forwardInitial,
      S backwardInitial,
      Operand<TFloat32> forwardMask,
      Operand<TFloat32> backwardMask) {
    RnnOutput<S> forwardOutput =
        forward.apply(tf, inputs, lengths, timeSteps, forwardInitial, forwardMask);
    RnnOutput<S> backwardOutput =
        backward.apply(tf, inputs, lengths, timeSteps, backwardInitial, backwardMask);
    Operand<TFloat32> merged =
        mergeMode.merge(tf, forwardOutput.outputs(), backwardOutput.outputs());
    return new BidirectionalOutput<>(
        merged, forwardOutput.finalState(), backwardOutput.finalState());
  }

  /** Runs both directions from zero states without recurrent dropout. */
  public BidirectionalOutput<S> apply(
      Ops tf, Operand<TFloat32> inputs, Operand<TInt32> lengths, int timeSteps) {
    return apply(tf, inputs, lengths, timeSteps, null, null, null, null);
  }

  /** Returns the forward layer. */
  public Rnn<S> forward() {
    return forward;
  }

  /** Returns the backward layer. */
  public Rnn<S> backward() {
    return backward;
  }

  /** Returns the merge mode. */
  public MergeMode mergeMode() {
    return mergeMode;
  }

  /** Returns the last dimension of the merged outputs, {@code 2H} or {@code H}. */
  public int outputSize() {
    return mergeMode.outputSize(forward.cell().hiddenSize());
  }
}
