package io.rnnkit.nn;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Token embedding, as Keras {@code Embedding} and PyTorch {@code nn.Embedding}: maps ids {@code [B,
 * T]} to vectors {@code [B, T, E]} by row lookup in {@code embeddings [V, E]}.
 *
 * <p>The lookup is a {@code GatherV2} on the variable, whose gradient is dense in this graph: the
 * gradient of {@code embeddings} is a {@code [V, E]} tensor with rows summed over repeated ids.
 */
public final class Embedding {

  private final int vocabularySize;
  private final int embeddingSize;
  private final Variable<TFloat32> embeddings;

  private Embedding(ParameterStore store, String name, int vocabularySize, int embeddingSize) {
    Checks.scopeName("name", name);
    this.vocabularySize = Checks.positive("vocabularySize", vocabularySize);
    this.embeddingSize = Checks.positive("embeddingSize", embeddingSize);
    this.embeddings =
        store.variable(
            name + "/embeddings",
            Shape.of(vocabularySize, embeddingSize),
            Initializer.uniform(0.05f));
  }

  /** Creates an embedding with variable {@code name/embeddings [V, E]}. */
  public static Embedding create(
      ParameterStore store, String name, int vocabularySize, int embeddingSize) {
    return new Embedding(store, name, vocabularySize, embeddingSize);
  }

  /**
   * Looks up token ids.
   *
   * @param ids {@code [B, T]} int32 ids in {@code [0, V)}
   * @return {@code [B, T, E]}
   */
  public Operand<TFloat32> apply(Ops tf, Operand<TInt32> ids) {
    return tf.gather(embeddings, ids, tf.constant(0));
  }

  /** Returns {@code embeddings [V, E]}. */
  public Variable<TFloat32> embeddings() {
    return embeddings;
  }

  /** Returns {@code V}. */
  public int vocabularySize() {
    return vocabularySize;
  }

  /** Returns {@code E}. */
  public int embeddingSize() {
    return embeddingSize;
  }
}
