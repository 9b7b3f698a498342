package io.rnnkit.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

class GradientPathsTest {

  @Test
  void reportsOpWithoutGradient() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> logits =
          tf.withName("logits").variable(tf.constant(new float[][] {{1, 2, 3}}));
      var top =
          tf.withName("top")
              .nn
              .topK(logits, tf.constant(2), new org.tensorflow.op.nn.TopK.Options[0]);
      Operand<TFloat32> loss = tf.reduceSum(top.values(), tf.constant(new int[] {0, 1}));
      GradientPaths.Report report = GradientPaths.inspect(g, loss, List.of(logits));
      assertEquals(
          Map.of("top", "TopKV2"), report.opsWithoutGradient(), "op without gradient on the path");
      IllegalStateException error =
          assertThrows(
              IllegalStateException.class,
              () -> GradientPaths.addGradients(g, loss, List.of(logits)),
              "addGradients rejects the graph before the native call");
      assertTrue(error.getMessage().contains("op top"), "message names the op: " + error);
      assertTrue(error.getMessage().contains("StopGradient"), "message names the fix: " + error);
    }
  }

  @Test
  void reportsUnreachableVariable() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> used = tf.withName("used").variable(tf.constant(new float[] {1, 2}));
      Variable<TFloat32> unused = tf.withName("unused").variable(tf.constant(3f));
      Operand<TFloat32> loss = tf.reduceSum(tf.math.square(used), tf.constant(0));
      GradientPaths.Report report = GradientPaths.inspect(g, loss, List.of(used, unused));
      assertEquals(List.of("unused"), report.unreachableVariables(), "unreachable variables");
      assertTrue(report.opsWithoutGradient().isEmpty(), "no op without gradient");
      IllegalStateException error =
          assertThrows(
              IllegalStateException.class, () -> GradientPaths.check(g, loss, List.of(unused)));
      assertTrue(error.getMessage().contains("[unused]"), "message names the variable: " + error);
    }
  }

  @Test
  void ignoresIntegerEdges() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> x = tf.withName("x").variable(tf.constant(new float[] {1, 2, 3}));
      Operand<TFloat32> positions =
          tf.dtypes.cast(tf.range(tf.constant(0), tf.constant(3), tf.constant(1)), TFloat32.class);
      Operand<TFloat32> masked =
          tf.select(tf.math.isFinite(x), tf.math.mul(x, positions), tf.zerosLike(x));
      Operand<TFloat32> loss = tf.reduceSum(masked, tf.constant(0));
      GradientPaths.Report report = GradientPaths.inspect(g, loss, List.of(x));
      assertTrue(report.isValid(), "Range and IsFinite are off the float path: " + report);
      Output<?>[] gradients = GradientPaths.addGradients(g, loss, List.of(x));
      assertEquals(1, gradients.length, "one gradient");
    }
  }

  @Test
  void encoderGraphIsValid() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParameterStore store = ParameterStore.forRestore(tf);
      RecurrentEncoder encoder =
          RecurrentEncoder.create(
              store,
              new RecurrentEncoder.Spec(
                  CellType.LSTM, 3, 4, 2, true, 0.2f, 0.2f, true, MergeMode.CONCAT));
      Embedding embedding = Embedding.create(store, "embedding", 10, 3);
      Operand<TFloat32> inputs = embedding.apply(tf, tf.constant(new int[][] {{1, 2}, {3, 0}}));
      EncoderOutput out =
          encoder.apply(
              tf, inputs, tf.constant(new int[] {2, 1}), 2, true, tf.constant(new long[] {4, 5}));
      Operand<TFloat32> loss = tf.reduceSum(out.outputs(), tf.constant(new int[] {0, 1, 2}));
      List<Operand<?>> variables = List.copyOf(store.variables().values());
      GradientPaths.Report report = GradientPaths.inspect(g, loss, variables);
      assertTrue(report.isValid(), "encoder with dropout is differentiable: " + report.message());
      assertEquals(
          variables.size(),
          GradientPaths.addGradients(g, loss, variables).length,
          "one gradient per variable");
    }
  }

  @Test
  void registryAnswersKnownTypes() {
    assertTrue(GradientPaths.hasGradient("MatMul"), "MatMul has a gradient");
    assertTrue(GradientPaths.hasGradient("SelectV2"), "SelectV2 has a gradient");
    assertFalse(GradientPaths.hasGradient("ResourceGather"), "ResourceGather has none");
    assertFalse(GradientPaths.hasGradient("While"), "While has none");
    assertFalse(GradientPaths.hasGradient("OnesLike"), "OnesLike has none");
  }

  @Test
  void fallbackListMatchesRegistry() {
    for (String type : GradientPaths.KNOWN_WITH_GRADIENT) {
      assertEquals(
          Boolean.TRUE,
          GradientPaths.RegistryProbe.hasGradient(type),
          "registry has a gradient for fallback type " + type);
    }
  }
}
