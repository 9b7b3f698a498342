package io.rnnkit.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * Checks the graph gradients of every cell, both directions, {@link Bidirectional} and the masked
 * losses against central differences. The cells are float32, so these checks use {@code e = 1e-2},
 * relative tolerance {@code 1e-2} and absolute tolerance {@code 1e-3}.
 */
class GradientCheckTest {

  private static final int INPUT = 2;
  private static final int HIDDEN = 2;
  private static final int STEPS = 3;
  private static final int[] LENGTHS = {3, 1, 0};

  private static double[] random(Random random, long size, double scale) {
    double[] values = new double[(int) size];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (scale * (2 * random.nextDouble() - 1));
    }
    return values;
  }

  @Test
  void checkerPassesFloat64Graph() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat64> x = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(3)));
      Operand<TFloat64> weights = tf.constant(new double[] {1.5, -2, 0.5});
      Operand<TFloat64> loss = tf.reduceSum(tf.math.mul(tf.math.tanh(x), weights), tf.constant(0));
      new GradientChecker(g, loss).parameter(x, 0.3, -0.7, 1.1).check(1e-6, 1e-7, 1e-9);
    }
  }

  @Test
  void checkerFindsWrongGradient() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat64> x = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(2)));
      Operand<TFloat64> square = tf.math.mul(x, tf.stopGradient(x));
      Operand<TFloat64> loss = tf.reduceSum(square, tf.constant(0));
      GradientChecker checker = new GradientChecker(g, loss).parameter(x, 1.0, 2.0);
      AssertionError error =
          assertThrows(AssertionError.class, () -> checker.check(1e-6, 1e-7, 1e-9));
      assertTrue(error.getMessage().contains("analytic 1.0"), "message: " + error.getMessage());
    }
  }

  /** Builds a scalar loss from a layer's outputs: masked mean of {@code outputs . w} per token. */
  private static Operand<TFloat32> outputLoss(
      Ops tf, Operand<TFloat32> outputs, int width, Operand<TInt32> lengths, Random random) {
    float[] weights = new float[width];
    for (int k = 0; k < width; k++) {
      weights[k] = (float) (2 * random.nextDouble() - 1);
    }
    Operand<TFloat32> perToken =
        tf.reduceSum(tf.math.mul(outputs, tf.constant(weights)), tf.constant(2));
    return Losses.maskedMean(tf, perToken, lengths, STEPS).loss();
  }

  private static <S extends RnnState> void checkLayer(
      CellReferenceTest.Kind kind, CellFactory<S> factory, String direction) {
    Random random = new Random(kind.ordinal() * 7L + direction.hashCode());
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParameterStore store = ParameterStore.forRestore(tf);
      Placeholder<TFloat32> inputs =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(3, STEPS, INPUT)));
      Operand<TInt32> lengths = tf.constant(LENGTHS);
      Operand<TFloat32> outputs;
      int width = HIDDEN;
      if (direction.equals("bidirectional")) {
        Bidirectional<S> layer =
            Bidirectional.create(
                store, "bidirectional", "rnn", factory, INPUT, HIDDEN, MergeMode.CONCAT);
        outputs = layer.apply(tf, inputs, lengths, STEPS).outputs();
        width = 2 * HIDDEN;
      } else {
        RnnCell<S> cell = factory.create(store, "rnn", INPUT, HIDDEN);
        boolean backwards = direction.equals("backward");
        outputs = Rnn.of(cell).goBackwards(backwards).apply(tf, inputs, lengths, STEPS).outputs();
      }
      Operand<TFloat32> loss = outputLoss(tf, outputs, width, lengths, random);
      GradientChecker checker = new GradientChecker(g, loss);
      store
          .variables()
          .forEach(
              (name, variable) ->
                  checker.parameter(variable, random(random, store.shape(name).size(), 0.8)));
      checker.parameter(inputs, random(random, 3L * STEPS * INPUT, 1.0));
      checker.check(1e-2, 1e-2, 1e-3);
    }
  }

  @SuppressWarnings("unchecked")
  private static void checkKind(CellReferenceTest.Kind kind, String direction) {
    checkLayer(kind, (CellFactory<RnnState>) kind.factory(), direction);
  }

  @ParameterizedTest
  @EnumSource(CellReferenceTest.Kind.class)
  void forwardCellGradients(CellReferenceTest.Kind kind) {
    checkKind(kind, "forward");
  }

  @ParameterizedTest
  @EnumSource(CellReferenceTest.Kind.class)
  void backwardCellGradients(CellReferenceTest.Kind kind) {
    checkKind(kind, "backward");
  }

  @ParameterizedTest
  @EnumSource(CellReferenceTest.Kind.class)
  void bidirectionalGradients(CellReferenceTest.Kind kind) {
    checkKind(kind, "bidirectional");
  }

  @Test
  void sequenceCrossEntropyGradients() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> logits =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(3, STEPS, 4)));
      Operand<TInt32> targets = tf.constant(new int[][] {{0, 3, 1}, {2, 2, 0}, {1, 0, 3}});
      Operand<TFloat32> loss =
          Losses.sequenceCrossEntropy(tf, logits, targets, tf.constant(LENGTHS), STEPS, 4).loss();
      new GradientChecker(g, loss)
          .parameter(logits, random(new Random(3), 3L * STEPS * 4, 2.0))
          .check(1e-2, 1e-2, 1e-3);
    }
  }

  @Test
  void encoderGradientsWithDropoutMasks() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParameterStore store = ParameterStore.forRestore(tf);
      RecurrentEncoder encoder =
          RecurrentEncoder.create(
              store,
              new RecurrentEncoder.Spec(
                  CellType.GRU, INPUT, HIDDEN, 2, true, 0.3f, 0.3f, true, MergeMode.CONCAT));
      Placeholder<TFloat32> inputs =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(3, STEPS, INPUT)));
      Operand<TInt32> lengths = tf.constant(LENGTHS);
      EncoderOutput out =
          encoder.apply(tf, inputs, lengths, STEPS, true, tf.constant(new long[] {1, 2}));
      Random random = new Random(5);
      Operand<TFloat32> loss = outputLoss(tf, out.outputs(), encoder.outputSize(), lengths, random);
      GradientChecker checker = new GradientChecker(g, loss);
      store
          .variables()
          .forEach(
              (name, variable) ->
                  checker.parameter(variable, random(random, store.shape(name).size(), 0.8)));
      checker.parameter(inputs, random(random, 3L * STEPS * INPUT, 1.0));
      checker.check(1e-2, 1e-2, 1e-3);
    }
  }
}
