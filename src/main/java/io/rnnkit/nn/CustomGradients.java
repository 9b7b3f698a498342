package io.rnnkit.nn;

import java.util.HashSet;
import java.util.Set;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.RawCustomGradient;

/**
 * Registration of the gradients rnnkit adds for op types that TensorFlow Java 1.1.0 cannot
 * differentiate. TensorFlow Java keeps one gradient per op type for the whole process, so each type
 * is registered once, on first use.
 */
final class CustomGradients {
  private CustomGradients() {}

  private static final Set<String> REGISTERED = new HashSet<>();

  /** Registers {@code gradient} for {@code opType} unless this class registered one before. */
  static synchronized void registerOnce(String opType, RawCustomGradient gradient) {
    if (REGISTERED.add(opType)) {
      TensorFlow.registerCustomGradient(opType, gradient);
    }
  }
}
