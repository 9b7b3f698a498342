package io.rnnkit.checkpoint;

/**
 * LSTM weights in the Keras layout that rnnkit builds its graphs with. All arrays are row-major
 * with gate blocks of width H in the order i (input), f (forget), c (candidate), o (output).
 *
 * @param inputSize I, the input feature count
 * @param units H, the hidden state size
 * @param kernel {@code [I, 4H]}
 * @param recurrentKernel {@code [H, 4H]}
 * @param bias {@code [4H]}
 * @param translation the source layout these weights were converted from
 */
public record KerasLstmWeights(
    int inputSize,
    int units,
    float[] kernel,
    float[] recurrentKernel,
    float[] bias,
    LayoutTranslation translation) {

  public KerasLstmWeights {
    Shapes.checkLength("LSTM kernel", kernel, (long) inputSize * 4 * units);
    Shapes.checkLength("LSTM recurrent_kernel", recurrentKernel, (long) units * 4 * units);
    Shapes.checkLength("LSTM bias", bias, 4L * units);
  }
}
