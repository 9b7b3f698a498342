package io.rnnkit.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.nn.GRUBlockCell;
import org.tensorflow.op.nn.GRUBlockCellGrad;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The recurrence of a {@link GruCell} without {@code resetAfter} on TensorFlow's fused {@code
 * GRUBlockCell} op. Per step, one op computes both gates, the candidate and the new state, and one
 * {@code GRUBlockCellGrad} op runs the step backwards, in place of the separate MatMul, Sigmoid,
 * Tanh and elementwise ops of the unrolled step.
 *
 * <p>The op computes, with {@code [a, b]} the concatenation along the feature axis:
 *
 * <pre>
 * [r_bar, u_bar] = [x, h] w_ru + b_ru,  r = sigmoid(r_bar),  u = sigmoid(u_bar)
 * c = tanh([x, r * h] w_c + b_c)
 * h' = u * h + (1 - u) * c
 * </pre>
 *
 * which is the step of {@link GruCell} with {@code resetAfter == false} and {@code z = u}. The
 * reset gate comes first in {@code w_ru} ({@code FusedGruTest} fails on the other order). The op
 * reads the cell's Keras weights through slices and concatenations built in the graph, so the
 * variables, checkpoints and exports stay those of the unrolled cell: {@code w_ru = [[W_r, W_z],
 * [U_r, U_z]] [I+H, 2H]}, {@code w_c = [[W_h], [U_h]] [I+H, H]}, {@code b_ru = [b_r, b_z]} and
 * {@code b_c = b_h}. A GRU with {@code resetAfter} computes a different step, so {@link Rnn} keeps
 * it unrolled.
 *
 * <p>The op has no lengths input. At a padded step {@code t >= L} the output is replaced by 0 and
 * the previous state is kept, with the same {@code Select} ops as {@link Rnn}'s masked unroll, so
 * the numbers and gradients are those of the unroll.
 *
 * <p>TensorFlow Java 1.1.0 has no gradient for {@code GRUBlockCell}, so {@link #registerGradient()}
 * registers one, once per process, built from {@code GRUBlockCellGrad}.
 *
 * <p>NOTE: the op multiplies each step's input by its weights inside the step, where the unrolled
 * kernel projects all steps in one product. On a shared 2-core CPU, training with this kernel
 * measured no faster than the unrolled GRU without {@code resetAfter} ({@code LmBenchmark}).
 */
final class FusedGru {

  /** Op type of {@link GRUBlockCell} in TensorFlow Java 1.1.0. */
  static final String OP_TYPE = GRUBlockCell.OP_NAME;

  private FusedGru() {}

  /** Registers the gradient of {@code GRUBlockCell} once per process. Later calls do nothing. */
  static void registerGradient() {
    CustomGradients.registerOnce(OP_TYPE, FusedGru::gradient);
  }

  /** Weights of {@code GRUBlockCell} built from the Keras weights of a {@link GruCell}. */
  private record BlockWeights(
      Operand<TFloat32> wRu, Operand<TFloat32> wC, Operand<TFloat32> bRu, Operand<TFloat32> bC) {}

  /**
   * Builds the recurrence.
   *
   * @param cell a cell without {@code resetAfter}
   * @param inputs {@code [B, T, I]}, already zero at padded steps
   * @param stepMask {@code [B, T]}, true where {@code t < lengths[b]}
   * @param initial state before the first step
   */
  static RnnOutput<HiddenState> apply(
      Ops tf,
      GruCell cell,
      Operand<TFloat32> inputs,
      Operand<TBool> stepMask,
      int timeSteps,
      HiddenState initial) {
    if (cell.resetAfter()) {
      throw new IllegalArgumentException(
          "resetAfter of cell "
              + cell.name()
              + " must be false to run on GRUBlockCell, got true. Run the cell with the unrolled"
              + " kernel.");
    }
    registerGradient();
    BlockWeights weights = blockWeights(tf, cell);
    List<Operand<TFloat32>> stepInputs = Rnn.unstackTime(tf, inputs, timeSteps);
    List<Operand<TBool>> masks = Rnn.unstackTime(tf, stepMask, timeSteps);
    Operand<TFloat32> hidden = initial.hidden();
    List<Operand<TFloat32>> outputs = new ArrayList<>(timeSteps);
    // No scope per step: withSubScope scans every op of the graph (see Rnn).
    for (int t = 0; t < timeSteps; t++) {
      GRUBlockCell<TFloat32> block =
          tf.nn.gRUBlockCell(
              stepInputs.get(t), hidden, weights.wRu(), weights.wC(), weights.bRu(), weights.bC());
      Operand<TBool> active = masks.get(t);
      outputs.add(Rnn.selectRows(tf, active, block.h(), tf.zerosLike(block.h())));
      hidden = Rnn.selectRows(tf, active, block.h(), hidden);
    }
    Operand<TFloat32> sequence = tf.stack(outputs, Stack.axis(1L));
    return new RnnOutput<>(sequence, new HiddenState(hidden));
  }

  /**
   * Rearranges the Keras gate blocks z, r, h into the op's {@code w_ru}, {@code w_c} and biases.
   */
  private static BlockWeights blockWeights(Ops tf, GruCell cell) {
    List<Operand<TFloat32>> w = splitGates(tf, cell.kernel());
    List<Operand<TFloat32>> u = splitGates(tf, cell.recurrentKernel());
    List<Operand<TFloat32>> b = splitGates(tf, cell.bias());
    Operand<TInt32> rowAxis = tf.constant(0);
    Operand<TInt32> lastAxis = tf.constant(-1);
    Operand<TFloat32> inputResetAndUpdate = tf.concat(List.of(w.get(1), w.get(0)), lastAxis);
    Operand<TFloat32> recurrentResetAndUpdate = tf.concat(List.of(u.get(1), u.get(0)), lastAxis);
    Operand<TFloat32> wRu =
        tf.concat(List.of(inputResetAndUpdate, recurrentResetAndUpdate), rowAxis);
    Operand<TFloat32> wC = tf.concat(List.of(w.get(2), u.get(2)), rowAxis);
    Operand<TFloat32> bRu = tf.concat(List.of(b.get(1), b.get(0)), lastAxis);
    return new BlockWeights(wRu, wC, bRu, b.get(2));
  }

  /** Splits the last axis into the three gate blocks z, r, h. */
  private static List<Operand<TFloat32>> splitGates(Ops tf, Operand<TFloat32> weights) {
    var split = tf.split(tf.constant(-1), weights, 3L);
    return new ArrayList<>(split.output());
  }

  /**
   * Gradient of {@code GRUBlockCell}: inputs (x, h_prev, w_ru, w_c, b_ru, b_c), outputs (r, u, c,
   * h). Only the gradient of {@code h} flows back, because {@code GRUBlockCellGrad} takes no other
   * and {@link #apply} reads no other output. {@code GRUBlockCellGrad} returns the gradients of x,
   * h_prev and of the pre-activations {@code [r_bar, u_bar]} and {@code c_bar}. The weight
   * gradients are the products of those with the inputs of the two matrix products of the step:
   *
   * <pre>
   * d_w_ru = [x, h_prev]^T d_ru_bar      d_b_ru = sum over rows of d_ru_bar
   * d_w_c  = [x, r * h_prev]^T d_c_bar   d_b_c  = sum over rows of d_c_bar
   * </pre>
   */
  @SuppressWarnings("unchecked")
  private static List<Operand<?>> gradient(
      Ops tf, GraphOperation op, List<Output<?>> outputGradients) {
    List<Operand<TFloat32>> in = new ArrayList<>();
    for (int k = 0; k < 6; k++) {
      in.add((Operand<TFloat32>) op.input(k));
    }
    Operand<TFloat32> x = in.get(0);
    Operand<TFloat32> hPrev = in.get(1);
    Operand<TFloat32> r = floatOutput(op, 0);
    Operand<TFloat32> u = floatOutput(op, 1);
    Operand<TFloat32> c = floatOutput(op, 2);
    Operand<TFloat32> h = floatOutput(op, 3);
    Operand<TFloat32> hGradient =
        outputGradients.get(3) == null
            ? tf.zerosLike(h)
            : (Operand<TFloat32>) outputGradients.get(3);
    GRUBlockCellGrad<TFloat32> grad =
        tf.nn.gRUBlockCellGrad(
            x, hPrev, in.get(2), in.get(3), in.get(4), in.get(5), r, u, c, hGradient);
    Operand<TInt32> features = tf.constant(1);
    Operand<TFloat32> gatesInput = tf.concat(List.of(x, hPrev), features);
    Operand<TFloat32> candidateInput = tf.concat(List.of(x, tf.math.mul(r, hPrev)), features);
    Operand<TFloat32> wRuGradient =
        tf.linalg.matMul(gatesInput, grad.dRBarUBar(), MatMul.transposeA(true));
    Operand<TFloat32> wCGradient =
        tf.linalg.matMul(candidateInput, grad.dCBar(), MatMul.transposeA(true));
    Operand<TInt32> batchAxis = tf.constant(new int[] {0});
    return List.of(
        grad.dX(),
        grad.dHPrev(),
        wRuGradient,
        wCGradient,
        tf.reduceSum(grad.dRBarUBar(), batchAxis),
        tf.reduceSum(grad.dCBar(), batchAxis));
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> floatOutput(GraphOperation op, int index) {
    Output<?> output = op.output(index);
    return (Operand<TFloat32>) output;
  }
}
