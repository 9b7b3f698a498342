package io.rnnkit.checkpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * Converts cuDNN RNN weights to the Keras layout, for a single-layer unidirectional cell with
 * linear input.
 *
 * <p>cuDNN's canonical form is a list of weight matrices and a list of bias vectors, one per gate
 * for the input ("W") and one per gate for the recurrent state ("R"). Each matrix is stored
 * row-major as {@code [H, I]} (input) or {@code [H, H]} (recurrent), the transpose of the Keras
 * blocks. Gate orders are i, f, c (new memory), o for LSTM and r (reset), z (update), h (new
 * memory) for GRU. The tanh RNN has one gate. Each gate has an input bias and a recurrent bias that
 * cuDNN adds separately.
 *
 * <p>The opaque parameter buffer that Keras builds for TensorFlow's {@code CudnnRNN} ops is the
 * concatenation of all matrices and then all biases, each flattened, in canonical order. {@link
 * #splitOpaque} undoes it.
 */
public final class CudnnCanonical {
  private CudnnCanonical() {}

  /** The cuDNN cell type, with its number of gates. */
  public enum Mode {
    LSTM(4),
    GRU(3),
    RNN_TANH(1);

    private final int gates;

    Mode(int gates) {
      this.gates = gates;
    }

    /** Returns the number of gates; the canonical form has twice as many matrices and biases. */
    public int gates() {
      return gates;
    }
  }

  /**
   * Canonical weights of one cell.
   *
   * @param weights the input matrices of all gates, then the recurrent matrices, each row-major
   *     {@code [H, I]} or {@code [H, H]}
   * @param biases the input biases of all gates, then the recurrent biases, each {@code [H]}
   */
  public record CanonicalParams(List<float[]> weights, List<float[]> biases) {
    public CanonicalParams {
      weights = List.copyOf(weights);
      biases = List.copyOf(biases);
    }
  }

  /**
   * Splits an opaque parameter buffer into canonical weights and biases.
   *
   * <p>Layout: {@code gates} input matrices of {@code H·I} values, {@code gates} recurrent matrices
   * of {@code H·H}, then {@code 2·gates} biases of {@code H}. This is the buffer that Keras's
   * {@code _canonical_to_params} (TF 2.x {@code recurrent_v2.py}) builds.
   *
   * <p>NOTE: TensorFlow documents the opaque buffer of its own {@code CudnnRNN} variables as
   * possibly specific to the GPU and cuDNN version, so this split is only valid for buffers in the
   * layout above. Prefer canonical weights where the checkpoint has them.
   */
  public static CanonicalParams splitOpaque(float[] params, Mode mode, int inputSize, int units) {
    Shapes.checkPositive(inputSize, units);
    int gates = mode.gates();
    long inputMatrix = (long) units * inputSize;
    long recurrentMatrix = (long) units * units;
    long expected = gates * (inputMatrix + recurrentMatrix) + 2L * gates * units;
    Shapes.checkLength(
        "cuDNN " + mode + " opaque parameters for input size " + inputSize + ", units " + units,
        params,
        expected);
    List<float[]> weights = new ArrayList<>();
    List<float[]> biases = new ArrayList<>();
    int offset = 0;
    for (int i = 0; i < 2 * gates; i++) {
      int length = (int) (i < gates ? inputMatrix : recurrentMatrix);
      weights.add(java.util.Arrays.copyOfRange(params, offset, offset + length));
      offset += length;
    }
    for (int i = 0; i < 2 * gates; i++) {
      biases.add(java.util.Arrays.copyOfRange(params, offset, offset + units));
      offset += units;
    }
    return new CanonicalParams(weights, biases);
  }

  /**
   * Converts canonical LSTM weights (8 matrices, 8 biases, gates i, f, c, o) to Keras. Kernel block
   * g is the transpose of input matrix g, and recurrent block g the transpose of recurrent matrix
   * g. Bias block g is the sum of the input and recurrent bias of gate g. Both layouts use the same
   * gate order.
   */
  public static KerasLstmWeights lstm(CanonicalParams params, int inputSize, int units) {
    int[] kerasToCudnnGate = {0, 1, 2, 3};
    Converted converted = convert(params, Mode.LSTM, kerasToCudnnGate, inputSize, units);
    return new KerasLstmWeights(
        inputSize,
        units,
        converted.kernel,
        converted.recurrentKernel,
        converted.summedBias(),
        LayoutTranslation.CUDNN_LSTM_CANONICAL);
  }

  /**
   * Converts canonical GRU weights (6 matrices, 6 biases, gates r, z, h) to Keras GRU with {@code
   * reset_after=true}, gate order z, r, h. Bias row 0 contains the input biases and row 1 the
   * recurrent biases. cuDNN applies the reset gate to {@code R_h·h + b_Rh}, which is what Keras's
   * {@code reset_after=true} does.
   */
  public static KerasGruWeights gru(CanonicalParams params, int inputSize, int units) {
    int[] kerasToCudnnGate = {1, 0, 2};
    Converted converted = convert(params, Mode.GRU, kerasToCudnnGate, inputSize, units);
    float[] bias = new float[6 * units];
    System.arraycopy(converted.inputBias, 0, bias, 0, 3 * units);
    System.arraycopy(converted.recurrentBias, 0, bias, 3 * units, 3 * units);
    return new KerasGruWeights(
        inputSize,
        units,
        true,
        converted.kernel,
        converted.recurrentKernel,
        bias,
        LayoutTranslation.CUDNN_GRU_CANONICAL);
  }

  /**
   * Converts canonical tanh-RNN weights (2 matrices, 2 biases) to Keras SimpleRNN: transposed
   * matrices, and the sum of the two biases.
   */
  public static KerasSimpleRnnWeights simpleRnn(CanonicalParams params, int inputSize, int units) {
    Converted converted = convert(params, Mode.RNN_TANH, new int[] {0}, inputSize, units);
    return new KerasSimpleRnnWeights(
        inputSize,
        units,
        converted.kernel,
        converted.recurrentKernel,
        converted.summedBias(),
        LayoutTranslation.CUDNN_RNN_TANH_CANONICAL);
  }

  /** Keras-ordered kernels and the input and recurrent biases, still separate. */
  private record Converted(
      float[] kernel, float[] recurrentKernel, float[] inputBias, float[] recurrentBias) {
    float[] summedBias() {
      float[] sum = new float[inputBias.length];
      for (int i = 0; i < sum.length; i++) {
        sum[i] = inputBias[i] + recurrentBias[i];
      }
      return sum;
    }
  }

  private static Converted convert(
      CanonicalParams params, Mode mode, int[] kerasToCudnnGate, int inputSize, int units) {
    Shapes.checkPositive(inputSize, units);
    int gates = mode.gates();
    if (params.weights().size() != 2 * gates || params.biases().size() != 2 * gates) {
      throw new IllegalArgumentException(
          "cuDNN "
              + mode
              + " canonical form has "
              + 2 * gates
              + " matrices and "
              + 2 * gates
              + " biases, got "
              + params.weights().size()
              + " and "
              + params.biases().size());
    }
    int width = gates * units;
    float[] kernel = new float[inputSize * width];
    float[] recurrentKernel = new float[units * width];
    float[] inputBias = new float[width];
    float[] recurrentBias = new float[width];
    for (int gate = 0; gate < gates; gate++) {
      int source = kerasToCudnnGate[gate];
      float[] input = params.weights().get(source);
      float[] recurrent = params.weights().get(gates + source);
      Shapes.checkLength(
          "cuDNN input matrix " + source + " [H, I]", input, (long) units * inputSize);
      Shapes.checkLength(
          "cuDNN recurrent matrix " + (gates + source) + " [H, H]",
          recurrent,
          (long) units * units);
      transposeInto(input, units, inputSize, kernel, width, gate * units);
      transposeInto(recurrent, units, units, recurrentKernel, width, gate * units);
      float[] inputGateBias = params.biases().get(source);
      float[] recurrentGateBias = params.biases().get(gates + source);
      Shapes.checkLength("cuDNN input bias " + source + " [H]", inputGateBias, units);
      Shapes.checkLength(
          "cuDNN recurrent bias " + (gates + source) + " [H]", recurrentGateBias, units);
      System.arraycopy(inputGateBias, 0, inputBias, gate * units, units);
      System.arraycopy(recurrentGateBias, 0, recurrentBias, gate * units, units);
    }
    return new Converted(kernel, recurrentKernel, inputBias, recurrentBias);
  }

  /**
   * Writes the transpose of row-major {@code source [rows, cols]} into columns {@code
   * [columnOffset, columnOffset + rows)} of row-major {@code target [cols, targetWidth]}.
   */
  private static void transposeInto(
      float[] source, int rows, int cols, float[] target, int targetWidth, int columnOffset) {
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        target[c * targetWidth + columnOffset + r] = source[r * cols + c];
      }
    }
  }
}
