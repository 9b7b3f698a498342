package io.rnnkit.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Truncated BPTT on the scalar RNN {@code h_t = w h_{t-1} + x_t} with {@code w = 0.5}, {@code h_0 =
 * 0} and {@code x = [1, 2, 3, 4]}, in two windows of 2 steps whose loss is their last state. The
 * second window starts from {@code h_2} fed as a value, so its gradient does not reach window 1.
 */
class TruncatedBpttTest {

  private static final float W = 0.5f;

  /** Runs one window and returns {@code {h_last, dLoss/dw}}. */
  private static float[] window(float[] inputs, float initialState, float w) {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      ParameterStore store = ParameterStore.forRestore(tf);
      SimpleRnnCell cell = SimpleRnnCell.create(store, "simple_rnn", 1, 1, Activation.LINEAR);
      Placeholder<TFloat32> x =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, inputs.length, 1)));
      Placeholder<TFloat32> h0 = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, 1)));
      RnnOutput<HiddenState> out =
          Rnn.of(cell)
              .apply(
                  tf,
                  x,
                  tf.constant(new int[] {inputs.length}),
                  inputs.length,
                  new HiddenState(h0),
                  null);
      var loss = tf.reduceSum(out.finalState().hidden(), tf.constant(new int[] {0, 1}));
      Output<?>[] gradient =
          graph.addGradients(loss.asOutput(), new Output<?>[] {cell.recurrentKernel().asOutput()});
      try (Session session = new Session(graph);
          TFloat32 xValue = TFloat32.tensorOf(Shape.of(1, inputs.length, 1));
          TFloat32 hValue = TFloat32.tensorOf(Shape.of(1, 1));
          TFloat32 one = TFloat32.tensorOf(Shape.of(1, 1));
          TFloat32 zero = TFloat32.vectorOf(0f);
          TFloat32 wValue = TFloat32.tensorOf(Shape.of(1, 1))) {
        for (int t = 0; t < inputs.length; t++) {
          xValue.setFloat(inputs[t], 0, t, 0);
        }
        hValue.setFloat(initialState, 0, 0);
        one.setFloat(1f, 0, 0);
        wValue.setFloat(w, 0, 0);
        try (Result result =
            session
                .runner()
                .feed(x, xValue)
                .feed(h0, hValue)
                .feed(cell.kernel(), one)
                .feed(cell.recurrentKernel(), wValue)
                .feed(cell.bias(), zero)
                .fetch(loss)
                .fetch(gradient[0])
                .run()) {
          return new float[] {
            ((TFloat32) result.get(0)).getFloat(), ((TFloat32) result.get(1)).getFloat(0, 0)
          };
        }
      }
    }
  }

  @Test
  void secondWindow_gradientStopsAtBoundary() {
    float[] first = window(new float[] {1, 2}, 0f, W);
    assertEquals(2.5f, first[0], 1e-6f, "window 1 ends at h_2");
    assertEquals(1.0f, first[1], 1e-6f, "window 1 gradient dh_2/dw = h_1");

    float[] second = window(new float[] {3, 4}, first[0], W);
    assertEquals(6.125f, second[0], 1e-6f, "window 2 ends at h_4, as the full sequence does");
    assertEquals(5.5f, second[1], 1e-6f, "h_3 + w h_2 = 5.5; 5.75 would mean the gradient leaked");

    float[] full = window(new float[] {1, 2, 3, 4}, 0f, W);
    assertEquals(6.125f, full[0], 1e-6f, "the unwindowed sequence ends at the same state");
    assertEquals(5.75f, full[1], 1e-6f, "full backpropagation does include window 1");
  }

  @Test
  void secondWindow_matchesFiniteDifference() {
    float h2 = window(new float[] {1, 2}, 0f, W)[0];
    double epsilon = 1e-2;
    double plus = window(new float[] {3, 4}, h2, (float) (W + epsilon))[0];
    double minus = window(new float[] {3, 4}, h2, (float) (W - epsilon))[0];
    double numeric = (plus - minus) / (2 * epsilon);
    float analytic = window(new float[] {3, 4}, h2, W)[1];
    assertEquals(numeric, analytic, 1e-3, "central difference with h_2 held fixed");
  }
}
