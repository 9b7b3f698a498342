package io.rnnkit.checkpoint;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Converts the weights of TF1 {@code tf.nn.rnn_cell} cells ({@code BasicLSTMCell}, {@code
 * LSTMCell}, {@code GRUCell}) to the Keras layout.
 *
 * <p>TF1 cells multiply the concatenation {@code [x, h]} by one kernel, so their kernels have the I
 * input rows first and then the H hidden rows. TF 1.0 and 1.1 name the variables {@code weights}
 * and {@code biases}, while TF 1.2 and later name them {@code kernel} and {@code bias}. Both
 * spellings are accepted by {@link #lstmKeys} and {@link #gruKeys}.
 */
public final class Tf1Cells {
  private static final List<String> LSTM_UNSUPPORTED_SUFFIXES =
      List.of("/w_f_diag", "/w_i_diag", "/w_o_diag", "/projection/kernel", "/projection/weights");

  private Tf1Cells() {}

  /** Checkpoint keys of one TF1 LSTM cell's variables. */
  public record LstmKeys(String kernel, String bias) {}

  /** Checkpoint keys of one TF1 GRU cell's variables. */
  public record GruKeys(
      String gatesKernel, String gatesBias, String candidateKernel, String candidateBias) {}

  /**
   * Finds the kernel and bias of the LSTM cell under {@code cellScope}, such as {@code
   * rnnlm/multi_rnn_cell/cell_0/basic_lstm_cell}.
   *
   * @throws CheckpointFormatException if the cell has peephole ({@code w_f_diag}, {@code w_i_diag},
   *     {@code w_o_diag}) or projection weights, which rnnkit's LSTM lacks, or if the kernel or
   *     bias is missing
   */
  public static LstmKeys lstmKeys(Collection<String> keys, String cellScope)
      throws CheckpointFormatException {
    List<String> unsupported = new ArrayList<>();
    for (String suffix : LSTM_UNSUPPORTED_SUFFIXES) {
      if (keys.contains(cellScope + suffix)) {
        unsupported.add(cellScope + suffix);
      }
    }
    if (!unsupported.isEmpty()) {
      throw new CheckpointFormatException(
          "LSTM cell "
              + cellScope
              + " has peephole or projection weights "
              + unsupported
              + ", which rnnkit's LSTM does not implement (use_peepholes=False and num_proj=None"
              + " are required). Retrain the model without them to import it.");
    }
    return new LstmKeys(
        findVariable(keys, cellScope, "kernel", "weights"),
        findVariable(keys, cellScope, "bias", "biases"));
  }

  /**
   * Finds the four variables of the GRU cell under {@code cellScope}, such as {@code rnn/gru_cell}:
   * {@code gates/kernel}, {@code gates/bias}, {@code candidate/kernel} and {@code candidate/bias},
   * or their TF 1.0/1.1 spellings.
   *
   * @throws CheckpointFormatException if any of them is missing
   */
  public static GruKeys gruKeys(Collection<String> keys, String cellScope)
      throws CheckpointFormatException {
    return new GruKeys(
        findVariable(keys, cellScope + "/gates", "kernel", "weights"),
        findVariable(keys, cellScope + "/gates", "bias", "biases"),
        findVariable(keys, cellScope + "/candidate", "kernel", "weights"),
        findVariable(keys, cellScope + "/candidate", "bias", "biases"));
  }

  private static String findVariable(
      Collection<String> keys, String scope, String name, String tf10Name)
      throws CheckpointFormatException {
    String current = scope + "/" + name;
    String tf10 = scope + "/" + tf10Name;
    if (keys.contains(current)) {
      return current;
    }
    if (keys.contains(tf10)) {
      return tf10;
    }
    throw new CheckpointFormatException(
        "Variable "
            + current
            + " (or "
            + tf10
            + ") not found in the checkpoint. Check the cell scope "
            + scope
            + " against the keys that rnnkit inspect-checkpoint lists.");
  }

  /**
   * Converts a TF1 {@code BasicLSTMCell} or {@code LSTMCell} to the Keras LSTM layout.
   *
   * <p>Source: {@code kernel [I + H, 4H]} (rows: input then hidden) and {@code bias [4H]}, with
   * gate columns in the order i (input), j (candidate), f (forget), o (output). The TF1 cell adds
   * {@code forgetBias} to the f pre-activation at run time without storing it, so this method adds
   * it to the Keras f bias. The TF1 cell computes {@code c' = c·σ(f + forgetBias) + σ(i)·tanh(j)}
   * and {@code h' = tanh(c')·σ(o)}, the same function as Keras LSTM with the converted weights.
   *
   * <p>NOTE: {@code LSTMCell}'s {@code cell_clip} and {@code proj_clip} are not stored in the
   * checkpoint, so a model trained with them converts without error but computes differently.
   *
   * @param forgetBias the cell's {@code forget_bias} constructor argument, 1.0 by default in TF1
   */
  public static KerasLstmWeights lstm(
      float[] kernel, float[] bias, int inputSize, int units, float forgetBias) {
    Shapes.checkPositive(inputSize, units);
    int width = 4 * units;
    Shapes.checkLength("TF1 LSTM kernel [I+H, 4H]", kernel, (long) (inputSize + units) * width);
    Shapes.checkLength("TF1 LSTM bias [4H]", bias, width);
    // Keras gate g takes TF1 gate column block sourceGate[g]: i←i, f←f, c←j, o←o.
    int[] sourceGate = {0, 2, 1, 3};
    float[] kerasKernel = new float[inputSize * width];
    float[] kerasRecurrent = new float[units * width];
    float[] kerasBias = new float[width];
    for (int gate = 0; gate < 4; gate++) {
      int from = sourceGate[gate] * units;
      int to = gate * units;
      for (int row = 0; row < inputSize; row++) {
        System.arraycopy(kernel, row * width + from, kerasKernel, row * width + to, units);
      }
      for (int row = 0; row < units; row++) {
        System.arraycopy(
            kernel, (inputSize + row) * width + from, kerasRecurrent, row * width + to, units);
      }
      System.arraycopy(bias, from, kerasBias, to, units);
    }
    for (int unit = 0; unit < units; unit++) {
      kerasBias[units + unit] += forgetBias;
    }
    return new KerasLstmWeights(
        inputSize, units, kerasKernel, kerasRecurrent, kerasBias, LayoutTranslation.TF1_LSTM_CELL);
  }

  /**
   * Converts a TF1 {@code GRUCell} to the Keras GRU layout with {@code reset_after=false}.
   *
   * <p>Source: {@code gates/kernel [I + H, 2H]} and {@code gates/bias [2H]} with columns r (reset)
   * then u (update), and {@code candidate/kernel [I + H, H]} and {@code candidate/bias [H]}. Kernel
   * rows are input then hidden. The TF1 cell computes {@code [r, u] = σ([x, h]·G + g)}, {@code c =
   * tanh([x, r·h]·C + b_c)} and {@code h' = u·h + (1 - u)·c}. Keras computes {@code h' = z·h + (1 -
   * z)·hh} and, with {@code reset_after=false}, also applies r to the state before the candidate
   * product, so u becomes z, and the result is Keras gate order z, r, h.
   */
  public static KerasGruWeights gru(
      float[] gatesKernel,
      float[] gatesBias,
      float[] candidateKernel,
      float[] candidateBias,
      int inputSize,
      int units) {
    Shapes.checkPositive(inputSize, units);
    int rows = inputSize + units;
    Shapes.checkLength("TF1 GRU gates/kernel [I+H, 2H]", gatesKernel, (long) rows * 2 * units);
    Shapes.checkLength("TF1 GRU gates/bias [2H]", gatesBias, 2L * units);
    Shapes.checkLength("TF1 GRU candidate/kernel [I+H, H]", candidateKernel, (long) rows * units);
    Shapes.checkLength("TF1 GRU candidate/bias [H]", candidateBias, units);
    int width = 3 * units;
    float[] kerasKernel = new float[inputSize * width];
    float[] kerasRecurrent = new float[units * width];
    float[] kerasBias = new float[width];
    for (int row = 0; row < rows; row++) {
      float[] target = row < inputSize ? kerasKernel : kerasRecurrent;
      int targetRow = row < inputSize ? row : row - inputSize;
      int gatesRow = row * 2 * units;
      // z ← u (second gates block), r ← r (first gates block), h ← candidate.
      System.arraycopy(gatesKernel, gatesRow + units, target, targetRow * width, units);
      System.arraycopy(gatesKernel, gatesRow, target, targetRow * width + units, units);
      System.arraycopy(candidateKernel, row * units, target, targetRow * width + 2 * units, units);
    }
    System.arraycopy(gatesBias, units, kerasBias, 0, units);
    System.arraycopy(gatesBias, 0, kerasBias, units, units);
    System.arraycopy(candidateBias, 0, kerasBias, 2 * units, units);
    return new KerasGruWeights(
        inputSize,
        units,
        false,
        kerasKernel,
        kerasRecurrent,
        kerasBias,
        LayoutTranslation.TF1_GRU_CELL);
  }
}
