package io.rnnkit.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Element-wise activation of a cell, with the Keras name of each as {@link #kerasName()}. */
public enum Activation {
  /** Hyperbolic tangent, the Keras and PyTorch default for recurrent cells. */
  TANH("tanh"),
  /** Logistic sigmoid {@code 1 / (1 + e^-x)}. */
  SIGMOID("sigmoid"),
  /** {@code max(x, 0)}. */
  RELU("relu"),
  /** Identity. */
  LINEAR("linear");

  private final String kerasName;

  Activation(String kerasName) {
    this.kerasName = kerasName;
  }

  /** Returns the name Keras uses for this activation, for example {@code "tanh"}. */
  public String kerasName() {
    return kerasName;
  }

  /** Applies the activation to {@code x}. */
  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
    return switch (this) {
      case TANH -> tf.math.tanh(x);
      case SIGMOID -> tf.math.sigmoid(x);
      case RELU -> tf.nn.relu(x);
      case LINEAR -> x;
    };
  }
}
