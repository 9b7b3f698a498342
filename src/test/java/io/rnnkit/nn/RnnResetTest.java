package io.rnnkit.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * State resets inside a sequence on the toy cell {@code h_t = h_{t-1} + x_t + 1}: row {@code [1, 2,
 * 3, 4]} with a document starting at step 2 runs as {@code [1, 2]} and then {@code [3, 4]} from 0.
 */
class RnnResetTest {

  @Test
  void resetBefore_zeroesStateAtDocumentStart() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      ParameterStore store = ParameterStore.forTraining(tf, 1);
      SimpleRnnCell cell = SimpleRnnCell.create(store, "simple_rnn", 1, 1, Activation.LINEAR);
      Operand<TFloat32> inputs =
          tf.reshape(
              tf.constant(new float[] {1, 2, 3, 4, 1, 2, 3, 4}), tf.constant(new int[] {2, 4, 1}));
      var resets =
          tf.constant(new boolean[][] {{false, false, true, false}, {false, false, false, false}});
      RnnOutput<HiddenState> out =
          Rnn.of(cell).apply(tf, inputs, tf.constant(new int[] {4, 4}), 4, null, null, resets);
      try (Session session = new Session(graph);
          TFloat32 one = TFloat32.tensorOf(Shape.of(1, 1));
          TFloat32 bias = TFloat32.vectorOf(1f)) {
        one.setFloat(1f, 0, 0);
        try (Result result =
            session
                .runner()
                .feed(cell.kernel(), one)
                .feed(cell.recurrentKernel(), one)
                .feed(cell.bias(), bias)
                .fetch(out.outputs())
                .fetch(out.finalState().hidden())
                .run()) {
          TFloat32 outputs = (TFloat32) result.get(0);
          float[] reset = new float[4];
          float[] plain = new float[4];
          for (int t = 0; t < 4; t++) {
            reset[t] = outputs.getFloat(0, t, 0);
            plain[t] = outputs.getFloat(1, t, 0);
          }
          assertArrayEquals(new float[] {2, 5, 4, 9}, reset, "row with a reset before step 2");
          assertArrayEquals(new float[] {2, 5, 9, 14}, plain, "row without reset");
          TFloat32 state = (TFloat32) result.get(1);
          assertEquals(9f, state.getFloat(0, 0), "final state of the second document");
        }
      }
    }
  }

  @Test
  void resetBefore_backwardLayerRejected() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      ParameterStore store = ParameterStore.forTraining(tf, 1);
      SimpleRnnCell cell = SimpleRnnCell.create(store, "simple_rnn", 1, 1);
      IllegalArgumentException error =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  Rnn.of(cell)
                      .goBackwards(true)
                      .apply(
                          tf,
                          tf.zeros(tf.constant(new int[] {1, 2, 1}), TFloat32.class),
                          tf.constant(new int[] {2}),
                          2,
                          null,
                          null,
                          tf.constant(new boolean[][] {{false, true}})));
      assertTrue(error.getMessage().contains("resetBefore"), error.getMessage());
    }
  }
}
