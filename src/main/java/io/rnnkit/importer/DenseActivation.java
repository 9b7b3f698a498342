package io.rnnkit.importer;

import io.rnnkit.nn.Activation;
import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Activations of imported Keras {@code Dense} layers, with the Keras name of each. */
public enum DenseActivation {
  LINEAR("linear"),
  RELU("relu"),
  TANH("tanh"),
  SIGMOID("sigmoid"),
  /** Softmax over the last axis; rnnkit heads output the logits before it. */
  SOFTMAX("softmax");

  private final String kerasName;

  DenseActivation(String kerasName) {
    this.kerasName = kerasName;
  }

  /** Returns the Keras name, such as {@code relu}. */
  public String kerasName() {
    return kerasName;
  }

  /**
   * Returns the activation whose Keras name is {@code name}.
   *
   * @throws IllegalArgumentException if rnnkit has no such activation
   */
  public static DenseActivation ofKerasName(String name, String layer) {
    for (DenseActivation activation : values()) {
      if (activation.kerasName.equals(name)) {
        return activation;
      }
    }
    throw new IllegalArgumentException(
        "activation of Dense layer "
            + layer
            + " must be one of "
            + Arrays.stream(values()).map(DenseActivation::kerasName).toList()
            + ", got '"
            + name
            + "'; rnnkit has no equivalent, so the layer cannot be imported");
  }

  /** Applies the activation to {@code x}. */
  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
    return switch (this) {
      case LINEAR -> x;
      case RELU -> Activation.RELU.apply(tf, x);
      case TANH -> Activation.TANH.apply(tf, x);
      case SIGMOID -> Activation.SIGMOID.apply(tf, x);
      case SOFTMAX -> tf.nn.softmax(x);
    };
  }
}
