package io.rnnkit.importer;

import io.rnnkit.checkpoint.KerasGruWeights;
import io.rnnkit.checkpoint.KerasLstmWeights;
import io.rnnkit.checkpoint.KerasSimpleRnnWeights;
import io.rnnkit.nn.Activation;
import io.rnnkit.nn.CellType;
import java.util.List;

/**
 * Weights of one recurrent cell in the Keras layout that rnnkit's cells use, with the source keys
 * they came from and a description of the conversion.
 *
 * @param cell the cell type
 * @param inputSize I
 * @param units H
 * @param resetAfter GRU only: true for a {@code [2, 3H]} bias, false for {@code [3H]}
 * @param activation SimpleRNN only: the cell activation
 * @param kernel {@code [I, gH]} row-major, where g is 4 (LSTM), 3 (GRU) or 1 (SimpleRNN)
 * @param recurrentKernel {@code [H, gH]} row-major
 * @param bias {@code [gH]}, or {@code [2, 3H]} for a GRU with {@code resetAfter}
 * @param sourceKeys the checkpoint keys these weights were read from
 * @param transformation how the source layout was converted, for the import report
 */
public record CellWeights(
    CellType cell,
    int inputSize,
    int units,
    boolean resetAfter,
    Activation activation,
    float[] kernel,
    float[] recurrentKernel,
    float[] bias,
    List<String> sourceKeys,
    String transformation) {

  public CellWeights {
    sourceKeys = List.copyOf(sourceKeys);
  }

  /** Returns these weights with {@code value} as the import report's transformation. */
  CellWeights withTransformation(String value) {
    return new CellWeights(
        cell,
        inputSize,
        units,
        resetAfter,
        activation,
        kernel,
        recurrentKernel,
        bias,
        sourceKeys,
        value);
  }

  static CellWeights of(KerasLstmWeights w, List<String> sourceKeys) {
    return new CellWeights(
        CellType.LSTM,
        w.inputSize(),
        w.units(),
        false,
        Activation.TANH,
        w.kernel(),
        w.recurrentKernel(),
        w.bias(),
        sourceKeys,
        w.translation().description());
  }

  static CellWeights of(KerasGruWeights w, List<String> sourceKeys) {
    return new CellWeights(
        CellType.GRU,
        w.inputSize(),
        w.units(),
        w.resetAfter(),
        Activation.TANH,
        w.kernel(),
        w.recurrentKernel(),
        w.bias(),
        sourceKeys,
        w.translation().description());
  }

  static CellWeights of(KerasSimpleRnnWeights w, Activation activation, List<String> sourceKeys) {
    return new CellWeights(
        CellType.SIMPLE_RNN,
        w.inputSize(),
        w.units(),
        false,
        activation,
        w.kernel(),
        w.recurrentKernel(),
        w.bias(),
        sourceKeys,
        w.translation().description());
  }

  /** Returns the number of gate blocks of width H in each weight: 4, 3 or 1. */
  public int gates() {
    return switch (cell) {
      case LSTM -> 4;
      case GRU -> 3;
      case SIMPLE_RNN -> 1;
    };
  }

  /** Returns the bias shape: {@code [gH]}, or {@code [2, 3H]} for a GRU with resetAfter. */
  public long[] biasShape() {
    return resetAfter ? new long[] {2, 3L * units} : new long[] {(long) gates() * units};
  }
}
