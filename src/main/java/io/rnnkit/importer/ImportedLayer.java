package io.rnnkit.importer;

import io.rnnkit.checkpoint.NamedTensor;

/**
 * One layer of a source network, with its weights already in rnnkit's layout, in the order the
 * network applies the layers.
 */
public sealed interface ImportedLayer {

  /**
   * Returns the source layer's name, such as {@code lstm_5} or {@code rnnlm/multi_rnn_cell/cell_0}.
   */
  String source();

  /**
   * A token embedding.
   *
   * @param sourceKey the checkpoint key of the table
   * @param embeddings {@code [V, E]}
   */
  record Embedding(String source, String sourceKey, NamedTensor embeddings)
      implements ImportedLayer {
    /** Returns V. */
    public int vocabularySize() {
      return (int) embeddings.shape()[0];
    }

    /** Returns E. */
    public int embeddingSize() {
      return (int) embeddings.shape()[1];
    }
  }

  /**
   * A recurrent layer, unidirectional or bidirectional with concatenated directions.
   *
   * @param forward the forward cell
   * @param backward the backward cell, or {@code null} for a unidirectional layer
   * @param returnSequences whether the layer outputs every step ({@code true}) or only the last
   *     one, as Keras {@code return_sequences}
   */
  record Recurrent(
      String source, CellWeights forward, CellWeights backward, boolean returnSequences)
      implements ImportedLayer {
    /** Returns true if the layer has a backward cell. */
    public boolean bidirectional() {
      return backward != null;
    }

    /** Returns the size of one output vector: H, or 2H when bidirectional. */
    public int outputSize() {
      return bidirectional() ? 2 * forward.units() : forward.units();
    }
  }

  /**
   * An affine layer {@code y = activation(x kernel + bias)}.
   *
   * @param kernelKey checkpoint key of the kernel
   * @param biasKey checkpoint key of the bias
   * @param kernel {@code [in, out]}
   * @param bias {@code [out]}
   * @param activation the activation applied after the affine map
   * @param activationKnown false when the source does not store the activation (a checkpoint
   *     without Keras metadata), so {@code activation} is an assumption
   */
  record Dense(
      String source,
      String kernelKey,
      String biasKey,
      NamedTensor kernel,
      NamedTensor bias,
      DenseActivation activation,
      boolean activationKnown)
      implements ImportedLayer {
    /** Returns the input size. */
    public int inputSize() {
      return (int) kernel.shape()[0];
    }

    /** Returns the output size. */
    public int outputSize() {
      return (int) kernel.shape()[1];
    }
  }
}
