/**
 * Layers that build recurrent networks as static TensorFlow graphs.
 *
 * <p>Glossary, used for every shape in this package:
 *
 * <ul>
 *   <li>{@code B}: batch size (rows).
 *   <li>{@code T}: time steps. Graphs are unrolled, so {@code T} is fixed when a graph is built.
 *   <li>{@code I}: input size of a recurrent cell.
 *   <li>{@code E}: embedding size.
 *   <li>{@code H}: hidden size ({@code hiddenSize}; Keras calls it {@code units}).
 *   <li>{@code V}: vocabulary size.
 *   <li>{@code D}: directions, 1 or 2.
 * </ul>
 *
 * <p>Tensors are batch-major: token ids {@code [B, T]} (int32), embeddings {@code [B, T, E]},
 * recurrent outputs {@code [B, T, D*H]}. The only public mask form is {@code lengths [B]} (int32).
 * For a row of length {@code L}, steps {@code t < L} run the cell; at {@code t >= L} the output is
 * exactly 0 and the state is copied through unchanged, so the final state is the state after step
 * {@code L-1}, and a row with {@code L = 0} keeps its initial state.
 *
 * <p>Building blocks: a cell ({@code LstmCell}, {@code GruCell}, {@code SimpleRnnCell}) computes
 * one step; {@code Rnn} unrolls a cell over {@code T} steps in one direction; {@code Bidirectional}
 * runs a forward and a backward {@code Rnn} and merges them; {@code RecurrentEncoder} stacks layers
 * with dropout. {@code GradientPaths} checks a loss for ops without a gradient before {@code
 * Graph.addGradients}.
 *
 * <p>Variables use Keras names and layouts ({@code kernel}, {@code recurrent_kernel}, {@code bias},
 * {@code embeddings}), so that checkpoints map one to one onto Keras models.
 */
package io.rnnkit.nn;
