package io.rnnkit.nn;

/**
 * Creates a cell with its variables under scope {@code name}; {@code LstmCell::create}, {@code
 * GruCell::create} and {@code SimpleRnnCell::create} fit.
 *
 * @param <S> the state type of the cells it creates
 */
@FunctionalInterface
public interface CellFactory<S extends RnnState> {

  /** Creates a cell with input size {@code I = inputSize} and hidden size {@code H}. */
  RnnCell<S> create(ParameterStore store, String name, int inputSize, int hiddenSize);
}
