package io.rnnkit.train;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** Checks made before {@code Graph.addGradients}, so that errors name variables, not handles. */
final class GradientCheck {
  private GradientCheck() {}

  /** Throws if the loss does not depend on one of {@code variables}, naming every such one. */
  static void requireReachable(
      Graph graph, Operand<TFloat32> loss, List<String> names, List<Variable<TFloat32>> variables) {
    Set<String> reached = new HashSet<>();
    Deque<GraphOperation> pending = new ArrayDeque<>();
    pending.push((GraphOperation) loss.op());
    while (!pending.isEmpty()) {
      GraphOperation op = pending.pop();
      if (!reached.add(op.name())) {
        continue;
      }
      for (int i = 0; i < op.numInputs(); i++) {
        pending.push((GraphOperation) op.input(i).op());
      }
    }
    List<String> unreachable = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      if (!reached.contains(variables.get(i).op().name())) {
        unreachable.add(names.get(i));
      }
    }
    if (!unreachable.isEmpty()) {
      throw new IllegalArgumentException(
          "the loss does not depend on trained variables "
              + unreachable
              + "; freeze them or remove them from the trained set");
    }
  }
}
