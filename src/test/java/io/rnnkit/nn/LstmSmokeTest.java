package io.rnnkit.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

class LstmSmokeTest {

  @Test
  void lstmLanguageModelGraph_trainsAndMasks() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParameterStore store = ParameterStore.forTraining(tf, 7);
      Embedding embedding = Embedding.create(store, "embedding", 6, 3);
      LstmCell cell = LstmCell.create(store, "lstm", 3, 4);
      Dense head = Dense.create(store, "lm_head", 4, 6);
      Operand<TInt32> ids = tf.constant(new int[][] {{2, 3, 4}, {5, 2, 0}});
      Operand<TInt32> lengths = tf.constant(new int[] {3, 2});
      RnnOutput<LstmState> out = Rnn.of(cell).apply(tf, embedding.apply(tf, ids), lengths, 3);
      Operand<TFloat32> logits = head.applyToSequence(tf, out.outputs(), 3);
      Losses.MaskedLoss loss =
          Losses.sequenceCrossEntropy(
              tf, logits, tf.constant(new int[][] {{3, 4, 5}, {2, 1, 0}}), lengths, 3, 6);
      Output<?>[] vars =
          store.variables().values().stream().map(v -> v.asOutput()).toArray(Output<?>[]::new);
      Output<?>[] grads = g.addGradients(loss.loss().asOutput(), vars);
      assertEquals(store.variables().size(), grads.length, "one gradient per variable");
      try (Session s = new Session(g)) {
        s.initialize();
        try (Result r =
            s.runner().fetch(out.outputs()).fetch(loss.loss()).fetch(loss.count()).run()) {
          TFloat32 outputs = (TFloat32) r.get(0);
          float[][][] values = StdArrays.array3dCopyOf(outputs);
          for (int h = 0; h < 4; h++) {
            assertEquals(0f, values[1][2][h], "padded step output is exactly 0");
            assertTrue(values[0][2][h] != 0f, "real step output is not 0");
          }
          assertEquals(5f, ((TFloat32) r.get(2)).getFloat(), "real token count");
          float lossValue = ((TFloat32) r.get(1)).getFloat();
          assertEquals(Math.log(6), lossValue, 0.3, "initial loss near log V");
        }
      }
    }
  }
}
