package io.rnnkit.checkpoint;

/**
 * GRU weights in the Keras layout that rnnkit builds its graphs with. All arrays are row-major with
 * gate blocks of width H in the order z (update), r (reset), h (candidate).
 *
 * @param inputSize I, the input feature count
 * @param units H, the hidden state size
 * @param resetAfter true if the reset gate multiplies the recurrent product {@code h·U_h + b_h}
 *     (Keras {@code reset_after=true}, cuDNN-compatible), false if it multiplies the state before
 *     the product
 * @param kernel {@code [I, 3H]}
 * @param recurrentKernel {@code [H, 3H]}
 * @param bias {@code [2, 3H]} (row 0 input bias, row 1 recurrent bias) if {@code resetAfter}, else
 *     {@code [3H]}
 * @param translation the source layout these weights were converted from
 */
public record KerasGruWeights(
    int inputSize,
    int units,
    boolean resetAfter,
    float[] kernel,
    float[] recurrentKernel,
    float[] bias,
    LayoutTranslation translation) {

  public KerasGruWeights {
    Shapes.checkLength("GRU kernel", kernel, (long) inputSize * 3 * units);
    Shapes.checkLength("GRU recurrent_kernel", recurrentKernel, (long) units * 3 * units);
    Shapes.checkLength("GRU bias", bias, (resetAfter ? 2L : 1L) * 3 * units);
  }
}
