package io.rnnkit.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.BlockLSTM;
import org.tensorflow.op.nn.BlockLSTMGrad;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The recurrence of an {@link LstmCell} on TensorFlow's fused {@code BlockLSTMV2} op: one op runs
 * all {@code T} steps forwards and one {@code BlockLSTMGradV2} op runs them backwards, instead of
 * about 15 graph ops per step.
 *
 * <p>The op reads the cell's Keras weights, so the variables, checkpoints and exports stay those of
 * the unrolled cell: {@code w = concat(kernel, recurrent_kernel) [I+H, 4H]} and {@code b = bias}.
 * The CPU kernel of {@code BlockLSTMV2} takes the gate blocks in Keras order i, f, c, o (the older
 * {@code BlockLSTM} took i, c, f, o; {@code FusedLstmTest} fails on that order). Peepholes are off,
 * the cell clip is 0 (none) and BlockLSTMV2 adds no forget bias, so the step is exactly the one of
 * {@link LstmCell}.
 *
 * <p>The op has no lengths input. It runs every row for {@code T} steps; outputs at {@code t >= L}
 * are replaced by 0 and the final state of a row is gathered at step {@code L-1} (the initial state
 * for {@code L = 0}), which gives the numbers and gradients of {@link Rnn}'s masked unroll.
 *
 * <p>TensorFlow Java 1.1.0 has no gradient for {@code BlockLSTMV2}; {@link #registerGradient()}
 * registers one, once per process, built from {@code BlockLSTMGradV2}.
 */
final class FusedLstm {

  /** Op type of {@link BlockLSTM} in TensorFlow Java 1.1.0. */
  static final String OP_TYPE = BlockLSTM.OP_NAME;

  private FusedLstm() {}

  /** Registers the gradient of {@code BlockLSTMV2}; later calls do nothing. */
  static void registerGradient() {
    CustomGradients.registerOnce(OP_TYPE, FusedLstm::gradient);
  }

  /**
   * Builds the recurrence.
   *
   * @param inputs {@code [B, T, I]}, already zero at padded steps
   * @param stepMask {@code [B, T]}, true where {@code t < lengths[b]}
   * @param lengths {@code [B]}
   * @param initial state before the first step
   */
  static RnnOutput<LstmState> apply(
      Ops tf,
      LstmCell cell,
      Operand<TFloat32> inputs,
      Operand<TBool> stepMask,
      Operand<TInt32> lengths,
      int timeSteps,
      LstmState initial) {
    registerGradient();
    int hidden = cell.hiddenSize();
    Operand<TFloat32> timeMajor = tf.linalg.transpose(inputs, tf.constant(new int[] {1, 0, 2}));
    Operand<TFloat32> weights =
        tf.concat(List.of(cell.kernel(), cell.recurrentKernel()), tf.constant(0));
    Operand<TFloat32> noPeephole = tf.zeros(tf.constant(new int[] {hidden}), TFloat32.class);
    BlockLSTM<TFloat32> block =
        tf.nn.blockLSTM(
            tf.constant((long) timeSteps),
            timeMajor,
            initial.cell(),
            initial.hidden(),
            weights,
            noPeephole,
            noPeephole,
            noPeephole,
            cell.bias(),
            BlockLSTM.cellClip(0f),
            BlockLSTM.usePeephole(false));
    Operand<TFloat32> batchMajor = tf.linalg.transpose(block.h(), tf.constant(new int[] {1, 0, 2}));
    Operand<TFloat32> outputs =
        tf.select(tf.expandDims(stepMask, tf.constant(2)), batchMajor, tf.zerosLike(batchMajor));
    Operand<TInt32> indices = lastStepIndices(tf, lengths);
    Operand<TFloat32> finalHidden = atLength(tf, initial.hidden(), block.h(), indices);
    Operand<TFloat32> finalCell = atLength(tf, initial.cell(), block.cs(), indices);
    return new RnnOutput<>(outputs, new LstmState(finalHidden, finalCell));
  }

  /** Returns {@code [B, 2]} rows {@code (lengths[b], b)} into a {@code [T+1, B, H]} tensor. */
  private static Operand<TInt32> lastStepIndices(Ops tf, Operand<TInt32> lengths) {
    Operand<TInt32> rows = tf.range(tf.constant(0), Rnn.batchSize(tf, lengths), tf.constant(1));
    return tf.stack(List.of(lengths, rows), org.tensorflow.op.core.Stack.axis(1L));
  }

  /** Picks, per row, the state after step {@code L-1}, or {@code initial} for {@code L = 0}. */
  private static Operand<TFloat32> atLength(
      Ops tf, Operand<TFloat32> initial, Operand<TFloat32> perStep, Operand<TInt32> indices) {
    Operand<TFloat32> withInitial =
        tf.concat(List.of(tf.expandDims(initial, tf.constant(0)), perStep), tf.constant(0));
    return tf.gatherNd(withInitial, indices);
  }

  /**
   * Gradient of {@code BlockLSTMV2}: inputs (seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b),
   * outputs (i, cs, f, o, ci, co, h). Only the gradients of {@code cs} and {@code h} flow back, as
   * in TensorFlow's Python gradient of the op.
   */
  @SuppressWarnings("unchecked")
  private static List<Operand<?>> gradient(
      Ops tf, GraphOperation op, List<Output<?>> outputGradients) {
    List<Operand<TFloat32>> in = new ArrayList<>();
    for (int k = 1; k < 9; k++) {
      in.add((Operand<TFloat32>) op.input(k));
    }
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (int k = 0; k < 7; k++) {
      Output<?> output = op.output(k);
      out.add((Operand<TFloat32>) output);
    }
    Operand<TFloat32> csGradient = orZeros(tf, outputGradients.get(1), out.get(1));
    Operand<TFloat32> hGradient = orZeros(tf, outputGradients.get(6), out.get(6));
    BlockLSTMGrad<TFloat32> grad =
        tf.nn.blockLSTMGrad(
            (Operand<TInt64>) op.input(0),
            in.get(0),
            in.get(1),
            in.get(2),
            in.get(3),
            in.get(4),
            in.get(5),
            in.get(6),
            in.get(7),
            out.get(0),
            out.get(1),
            out.get(2),
            out.get(3),
            out.get(4),
            out.get(5),
            out.get(6),
            csGradient,
            hGradient,
            false);
    return List.of(
        tf.zerosLike((Operand<TInt64>) op.input(0)),
        grad.xGrad(),
        grad.csPrevGrad(),
        grad.hPrevGrad(),
        grad.wGrad(),
        grad.wciGrad(),
        grad.wcfGrad(),
        grad.wcoGrad(),
        grad.bGrad());
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> orZeros(Ops tf, Output<?> gradient, Operand<TFloat32> output) {
    return gradient == null ? tf.zerosLike(output) : (Operand<TFloat32>) gradient;
  }
}
