package io.rnnkit.nn;

import org.tensorflow.op.Ops;

/** Name-scope helpers. */
final class Scopes {
  private Scopes() {}

  /**
   * Returns {@code tf} under the sub-scope {@code path}, one level per {@code /}-separated part,
   * because {@code Ops.withSubScope} rejects names containing {@code /}.
   */
  static Ops under(Ops tf, String path) {
    Ops scoped = tf;
    for (String part : path.split("/")) {
      scoped = scoped.withSubScope(part);
    }
    return scoped;
  }
}
