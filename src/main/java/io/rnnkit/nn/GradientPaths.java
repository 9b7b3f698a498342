package io.rnnkit.nn;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.DataType;

/**
 * Checks, before {@code Graph.addGradients}, that a loss can be differentiated with respect to a
 * list of variables, and turns the native errors of {@code addGradients} into messages that name
 * the op and the fix.
 *
 * <p>The path from a variable to the loss is the set of ops that lie on a chain of floating-point
 * edges from one to the other. Integer and boolean edges carry no gradient, so ops on them (shape
 * computations, masks, random seeds) need no gradient. Two problems are reported:
 *
 * <ul>
 *   <li>an op on the path whose type has no gradient registered in TensorFlow Java, for example
 *       {@code SparseSoftmaxCrossEntropyWithLogits}, {@code ResourceGather}, {@code While} or
 *       {@code BlockLSTM} (TensorFlow Java 1.1.0);
 *   <li>a variable that the loss does not depend on through floating-point edges, which {@code
 *       addGradients} rejects.
 * </ul>
 *
 * <p>Whether an op type has a gradient is asked of TensorFlow Java's gradient registry, which also
 * contains gradients registered with {@code TensorFlow.registerCustomGradient}. That query is
 * package-private in TensorFlow Java 1.1.0 and is called by reflection. If it is unavailable, a
 * fixed list of op types checked against TensorFlow Java 1.1.0 is used instead, and types missing
 * from it are reported as having no gradient.
 */
public final class GradientPaths {
  private GradientPaths() {}

  private static final Pattern NO_GRADIENT = Pattern.compile("No gradient defined for op: (\\w+)");

  /**
   * Op types with a registered gradient in TensorFlow Java 1.1.0 (a test checks each against the
   * registry), used only when the registry cannot be queried.
   */
  static final Set<String> KNOWN_WITH_GRADIENT =
      Set.of(
          "Abs",
          "Add",
          "AddN",
          "AddV2",
          "BatchMatMulV2",
          "BiasAdd",
          "BroadcastTo",
          "Cast",
          "ConcatV2",
          "Const",
          "Cumsum",
          "Div",
          "DynamicStitch",
          "Einsum",
          "Exp",
          "ExpandDims",
          "Fill",
          "GatherNd",
          "GatherV2",
          "Identity",
          "Log",
          "LogSoftmax",
          "MatMul",
          "Maximum",
          "Mean",
          "Minimum",
          "Mul",
          "Neg",
          "OneHot",
          "Pack",
          "RealDiv",
          "Relu",
          "Reshape",
          "ReverseSequence",
          "Select",
          "SelectV2",
          "Sigmoid",
          "Slice",
          "Softmax",
          "SoftmaxCrossEntropyWithLogits",
          "Split",
          "Sqrt",
          "Square",
          "Squeeze",
          "StopGradient",
          "StridedSlice",
          "Sub",
          "Sum",
          "Tanh",
          "Tile",
          "Transpose",
          "UnsortedSegmentSum",
          "Unpack",
          "ZerosLike");

  private static final Map<String, String> FIXES = fixes();

  private static Map<String, String> fixes() {
    Map<String, String> fixes = new HashMap<>();
    fixes.put(
        "SparseSoftmaxCrossEntropyWithLogits",
        "build the loss with Losses.crossEntropy or Losses.sequenceCrossEntropy, which register"
            + " a gradient for this op");
    fixes.put(
        "ResourceGather",
        "create the variable with ParameterStore (a VariableV2) and look it up with Gather");
    String unroll = "unroll the loop over a static number of steps, as Rnn does";
    fixes.put("While", unroll);
    fixes.put("StatelessWhile", unroll);
    String lstm = "use LstmCell with Rnn, which builds the step from MatMul, Sigmoid and Tanh";
    fixes.put("BlockLSTM", lstm);
    fixes.put("BlockLSTMV2", lstm);
    fixes.put("LSTMBlockCell", lstm);
    fixes.put("GRUBlockCell", "use GruCell with Rnn");
    fixes.put("CudnnRNNV3", "use LstmCell or GruCell with Rnn");
    fixes.put("Where", "use Select (tf.select) with a boolean mask instead of Where indices");
    fixes.put("TensorScatterUpdate", "use Select with a boolean mask, or DynamicStitch");
    fixes.put("TopKV2", "keep TopK off the path to the loss, for example behind StopGradient");
    return fixes;
  }

  /**
   * Problems found on the paths from variables to a loss.
   *
   * @param opsWithoutGradient ops on a path whose type has no gradient: op name to op type
   * @param unreachableVariables names of variables that the loss does not depend on
   */
  public record Report(Map<String, String> opsWithoutGradient, List<String> unreachableVariables) {

    /** Returns whether {@code addGradients} can differentiate the loss. */
    public boolean isValid() {
      return opsWithoutGradient.isEmpty() && unreachableVariables.isEmpty();
    }

    /** Returns a message naming every problem and its fix, one per line. */
    public String message() {
      StringBuilder text = new StringBuilder("cannot differentiate the loss:\n");
      opsWithoutGradient.forEach(
          (name, type) -> text.append(describeMissingGradient(name, type)).append('\n'));
      if (!unreachableVariables.isEmpty()) {
        text.append("the loss does not depend on variables ")
            .append(unreachableVariables)
            .append(" through floating-point ops; leave them out of the variable list")
            .append(" (for example by freezing their layer) or connect them to the loss\n");
      }
      return text.toString().strip();
    }
  }

  /**
   * Checks that {@code loss} can be differentiated with respect to {@code variables}.
   *
   * @throws IllegalStateException naming each op without a gradient and each unreachable variable
   */
  public static void check(Graph graph, Operand<?> loss, List<? extends Operand<?>> variables) {
    Report report = inspect(graph, loss, variables);
    if (!report.isValid()) {
      throw new IllegalStateException(report.message());
    }
  }

  /** Returns the problems on the paths from {@code variables} to {@code loss}. */
  public static Report inspect(Graph graph, Operand<?> loss, List<? extends Operand<?>> variables) {
    Set<GraphOperation> ancestors = floatAncestors(op(graph, loss));
    List<String> unreachable = new ArrayList<>();
    for (Operand<?> variable : variables) {
      if (!ancestors.contains(op(graph, variable))) {
        unreachable.add(variable.op().name());
      }
    }
    Map<String, String> missing = new LinkedHashMap<>();
    for (GraphOperation op : opsOnPaths(graph, variables, ancestors)) {
      if (!hasGradient(op.type())) {
        missing.put(op.name(), op.type());
      }
    }
    return new Report(missing, unreachable);
  }

  /**
   * Checks the paths, then adds the gradients of {@code loss} with respect to {@code variables}.
   *
   * @return one gradient per variable, in order
   * @throws IllegalStateException if {@link #check} finds a problem, or if {@code addGradients}
   *     fails, with the op name and the fix in place of the native message
   */
  public static Output<?>[] addGradients(
      Graph graph, Operand<?> loss, List<? extends Operand<?>> variables) {
    check(graph, loss, variables);
    Output<?>[] outputs = variables.stream().map(Operand::asOutput).toArray(Output<?>[]::new);
    try {
      return graph.addGradients(loss.asOutput(), outputs);
    } catch (TensorFlowException e) {
      Matcher matcher = NO_GRADIENT.matcher(String.valueOf(e.getMessage()));
      if (matcher.find()) {
        throw new IllegalStateException(describeMissingGradient(null, matcher.group(1)), e);
      }
      throw new IllegalStateException("Graph.addGradients failed: " + e.getMessage(), e);
    }
  }

  /** Returns whether TensorFlow Java has a gradient registered for op type {@code opType}. */
  public static boolean hasGradient(String opType) {
    if (NO_GRADIENT_INPUTS.contains(opType)) {
      return true;
    }
    Boolean registered = RegistryProbe.hasGradient(opType);
    return registered != null ? registered : KNOWN_WITH_GRADIENT.contains(opType);
  }

  /** Leaf op types, which have no inputs to differentiate and need no gradient function. */
  private static final Set<String> NO_GRADIENT_INPUTS =
      Set.of("VariableV2", "Variable", "Placeholder", "PlaceholderWithDefault", "Const");

  static String describeMissingGradient(String opName, String opType) {
    String fix =
        FIXES.getOrDefault(
            opType,
            "build this part from ops that have gradients, or register one with"
                + " TensorFlow.registerCustomGradient");
    String op = opName == null ? "an op" : "op " + opName;
    return op
        + " of type "
        + opType
        + " lies between a variable and the loss but has no gradient in TensorFlow Java; "
        + fix;
  }

  private static GraphOperation op(Graph graph, Operand<?> operand) {
    if (!(operand.op() instanceof GraphOperation op) || op.env() != graph) {
      throw new IllegalArgumentException(
          "operand " + operand.op().name() + " must belong to the given graph");
    }
    return op;
  }

  /**
   * Returns whether {@code type}, or the type a reference type (a VariableV2 output) refers to, is
   * floating.
   */
  private static boolean isFloating(DataType type) {
    if (type.getNumber() > 100) {
      type = DataType.forNumber(type.getNumber() - 100);
    }
    return type == DataType.DT_FLOAT
        || type == DataType.DT_DOUBLE
        || type == DataType.DT_HALF
        || type == DataType.DT_BFLOAT16;
  }

  /** Returns {@code loss} and every op it reaches backwards through floating-point inputs. */
  private static Set<GraphOperation> floatAncestors(GraphOperation loss) {
    Set<GraphOperation> seen = new LinkedHashSet<>();
    Deque<GraphOperation> pending = new ArrayDeque<>();
    pending.add(loss);
    seen.add(loss);
    while (!pending.isEmpty()) {
      GraphOperation op = pending.poll();
      for (int i = 0; i < op.numInputs(); i++) {
        Output<?> input = op.input(i);
        if (isFloating(input.dataType()) && seen.add((GraphOperation) input.op())) {
          pending.add((GraphOperation) input.op());
        }
      }
    }
    return seen;
  }

  /** Returns the ops reached forwards from {@code variables} through floating-point outputs. */
  private static Set<GraphOperation> opsOnPaths(
      Graph graph, List<? extends Operand<?>> variables, Set<GraphOperation> ancestors) {
    Set<GraphOperation> seen = new LinkedHashSet<>();
    Deque<GraphOperation> pending = new ArrayDeque<>();
    for (Operand<?> variable : variables) {
      GraphOperation op = op(graph, variable);
      if (ancestors.contains(op) && seen.add(op)) {
        pending.add(op);
      }
    }
    while (!pending.isEmpty()) {
      GraphOperation op = pending.poll();
      for (int i = 0; i < op.numOutputs(); i++) {
        if (!isFloating(op.output(i).dataType())) {
          continue;
        }
        for (GraphOperation consumer : op.consumers(i)) {
          if (ancestors.contains(consumer) && seen.add(consumer)) {
            pending.add(consumer);
          }
        }
      }
    }
    return seen;
  }

  /** Calls the package-private {@code TensorFlow.hasGradient(String)} of TensorFlow Java 1.1.0. */
  static final class RegistryProbe {
    private static final Method METHOD = find();

    private static Method find() {
      try {
        Method method = TensorFlow.class.getDeclaredMethod("hasGradient", String.class);
        method.setAccessible(true);
        return method;
      } catch (NoSuchMethodException | RuntimeException e) {
        return null;
      }
    }

    /** Returns the registry's result, or {@code null} when the registry cannot be queried. */
    static Boolean hasGradient(String opType) {
      if (METHOD == null) {
        return null;
      }
      try {
        return (Boolean) METHOD.invoke(null, opType);
      } catch (IllegalAccessException | InvocationTargetException e) {
        return null;
      }
    }
  }
}
