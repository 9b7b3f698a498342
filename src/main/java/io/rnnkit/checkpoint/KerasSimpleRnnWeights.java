package io.rnnkit.checkpoint;

/**
 * SimpleRNN weights in the Keras layout, row-major.
 *
 * @param inputSize I, the input feature count
 * @param units H, the hidden state size
 * @param kernel {@code [I, H]}
 * @param recurrentKernel {@code [H, H]}
 * @param bias {@code [H]}
 * @param translation the source layout these weights were converted from
 */
public record KerasSimpleRnnWeights(
    int inputSize,
    int units,
    float[] kernel,
    float[] recurrentKernel,
    float[] bias,
    LayoutTranslation translation) {

  public KerasSimpleRnnWeights {
    Shapes.checkLength("SimpleRNN kernel", kernel, (long) inputSize * units);
    Shapes.checkLength("SimpleRNN recurrent_kernel", recurrentKernel, (long) units * units);
    Shapes.checkLength("SimpleRNN bias", bias, units);
  }
}
