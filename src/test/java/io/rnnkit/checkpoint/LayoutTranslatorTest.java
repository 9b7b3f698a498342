package io.rnnkit.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checks each translator by running two steps of the source cell with its own equations and of the
 * Keras cell with the translated weights, from a non-zero state, and comparing outputs.
 */
class LayoutTranslatorTest {
  private static final int INPUT = 3;
  private static final int UNITS = 4;
  private static final double TOLERANCE = 1e-6;

  private final Random random = new Random(20240531);

  private float[] randomArray(int length) {
    float[] values = new float[length];
    for (int i = 0; i < length; i++) {
      values[i] = (float) (random.nextGaussian() * 0.7);
    }
    return values;
  }

  private double[] randomVector(int length) {
    double[] values = new double[length];
    for (int i = 0; i < length; i++) {
      values[i] = random.nextGaussian();
    }
    return values;
  }

  private static void assertClose(double[] expected, double[] actual, String what) {
    assertEquals(expected.length, actual.length, what + " length");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], TOLERANCE, what + " element " + i);
    }
  }

  @Test
  void tf1LstmMatchesKerasLstm() {
    float[] kernel = randomArray((INPUT + UNITS) * 4 * UNITS);
    float[] bias = randomArray(4 * UNITS);
    float forgetBias = 1.0f;
    KerasLstmWeights keras = Tf1Cells.lstm(kernel, bias, INPUT, UNITS, forgetBias);
    assertSame(LayoutTranslation.TF1_LSTM_CELL, keras.translation(), "translation tag");

    double[] h = randomVector(UNITS);
    double[] c = randomVector(UNITS);
    double[] kerasH = h;
    double[] kerasC = c;
    for (int step = 0; step < 2; step++) {
      double[] x = randomVector(INPUT);
      double[][] tf1 = ReferenceCells.tf1Lstm(kernel, bias, forgetBias, x, h, c);
      double[][] converted = ReferenceCells.kerasLstm(keras, x, kerasH, kerasC);
      assertClose(tf1[0], converted[0], "h after step " + step);
      assertClose(tf1[1], converted[1], "c after step " + step);
      h = tf1[0];
      c = tf1[1];
      kerasH = converted[0];
      kerasC = converted[1];
    }
  }

  @Test
  void tf1LstmFoldsForgetBias() {
    float[] kernel = new float[(INPUT + UNITS) * 4 * UNITS];
    float[] bias = new float[4 * UNITS];
    for (int gate = 0; gate < 4; gate++) {
      for (int u = 0; u < UNITS; u++) {
        bias[gate * UNITS + u] = gate * 10 + u;
      }
    }
    KerasLstmWeights keras = Tf1Cells.lstm(kernel, bias, INPUT, UNITS, 1.0f);
    for (int u = 0; u < UNITS; u++) {
      assertEquals(u, keras.bias()[u], "i bias " + u);
      assertEquals(20 + u + 1.0f, keras.bias()[UNITS + u], "f bias plus forget_bias " + u);
      assertEquals(10 + u, keras.bias()[2 * UNITS + u], "c bias from j " + u);
      assertEquals(30 + u, keras.bias()[3 * UNITS + u], "o bias " + u);
    }
  }

  @Test
  void tf1GruMatchesKerasGru() {
    float[] gatesKernel = randomArray((INPUT + UNITS) * 2 * UNITS);
    float[] gatesBias = randomArray(2 * UNITS);
    float[] candidateKernel = randomArray((INPUT + UNITS) * UNITS);
    float[] candidateBias = randomArray(UNITS);
    KerasGruWeights keras =
        Tf1Cells.gru(gatesKernel, gatesBias, candidateKernel, candidateBias, INPUT, UNITS);
    assertEquals(false, keras.resetAfter(), "TF1 GRUCell resets before the product");
    assertEquals(3 * UNITS, keras.bias().length, "reset_after=false bias is [3H]");

    double[] h = randomVector(UNITS);
    double[] kerasH = h;
    for (int step = 0; step < 2; step++) {
      double[] x = randomVector(INPUT);
      h = ReferenceCells.tf1Gru(gatesKernel, gatesBias, candidateKernel, candidateBias, x, h);
      kerasH = ReferenceCells.kerasGru(keras, x, kerasH);
      assertClose(h, kerasH, "h after step " + step);
    }
  }

  private CudnnCanonical.CanonicalParams randomCanonical(int gates) {
    List<float[]> weights = new ArrayList<>();
    List<float[]> biases = new ArrayList<>();
    for (int i = 0; i < gates; i++) {
      weights.add(randomArray(UNITS * INPUT));
    }
    for (int i = 0; i < gates; i++) {
      weights.add(randomArray(UNITS * UNITS));
    }
    for (int i = 0; i < 2 * gates; i++) {
      biases.add(randomArray(UNITS));
    }
    return new CudnnCanonical.CanonicalParams(weights, biases);
  }

  @Test
  void cudnnLstmMatchesKerasLstm() {
    CudnnCanonical.CanonicalParams params = randomCanonical(4);
    KerasLstmWeights keras = CudnnCanonical.lstm(params, INPUT, UNITS);
    double[] h = randomVector(UNITS);
    double[] c = randomVector(UNITS);
    double[] kerasH = h;
    double[] kerasC = c;
    for (int step = 0; step < 2; step++) {
      double[] x = randomVector(INPUT);
      double[][] cudnn = ReferenceCells.cudnnLstm(params, x, h, c);
      double[][] converted = ReferenceCells.kerasLstm(keras, x, kerasH, kerasC);
      assertClose(cudnn[0], converted[0], "h after step " + step);
      assertClose(cudnn[1], converted[1], "c after step " + step);
      h = cudnn[0];
      c = cudnn[1];
      kerasH = converted[0];
      kerasC = converted[1];
    }
  }

  @Test
  void cudnnGruMatchesKerasResetAfter() {
    CudnnCanonical.CanonicalParams params = randomCanonical(3);
    KerasGruWeights keras = CudnnCanonical.gru(params, INPUT, UNITS);
    assertTrue(keras.resetAfter(), "cuDNN GRU converts to reset_after=true");
    assertEquals(6 * UNITS, keras.bias().length, "reset_after=true bias is [2, 3H]");
    // Bias row 0, block z (Keras gate 0) is cuDNN's input bias of gate z (canonical index 1).
    assertEquals(params.biases().get(1)[0], keras.bias()[0], "input bias of z");
    assertEquals(params.biases().get(3)[0], keras.bias()[3 * UNITS + UNITS], "recurrent bias r");

    double[] h = randomVector(UNITS);
    double[] kerasH = h;
    for (int step = 0; step < 2; step++) {
      double[] x = randomVector(INPUT);
      h = ReferenceCells.cudnnGru(params, x, h);
      kerasH = ReferenceCells.kerasGru(keras, x, kerasH);
      assertClose(h, kerasH, "h after step " + step);
    }
  }

  @Test
  void cudnnRnnTanhMatchesSimpleRnn() {
    CudnnCanonical.CanonicalParams params = randomCanonical(1);
    KerasSimpleRnnWeights keras = CudnnCanonical.simpleRnn(params, INPUT, UNITS);
    double[] h = randomVector(UNITS);
    double[] kerasH = h;
    for (int step = 0; step < 2; step++) {
      double[] x = randomVector(INPUT);
      h = ReferenceCells.cudnnRnnTanh(params, x, h);
      kerasH = ReferenceCells.kerasSimpleRnn(keras, x, kerasH);
      assertClose(h, kerasH, "h after step " + step);
    }
  }

  @Test
  void splitOpaqueInvertsConcatenation() {
    for (CudnnCanonical.Mode mode : CudnnCanonical.Mode.values()) {
      CudnnCanonical.CanonicalParams params = randomCanonical(mode.gates());
      List<float[]> parts = new ArrayList<>(params.weights());
      parts.addAll(params.biases());
      int total = parts.stream().mapToInt(part -> part.length).sum();
      float[] opaque = new float[total];
      int offset = 0;
      for (float[] part : parts) {
        System.arraycopy(part, 0, opaque, offset, part.length);
        offset += part.length;
      }
      CudnnCanonical.CanonicalParams split = CudnnCanonical.splitOpaque(opaque, mode, INPUT, UNITS);
      assertEquals(2 * mode.gates(), split.weights().size(), mode + " matrix count");
      assertEquals(2 * mode.gates(), split.biases().size(), mode + " bias count");
      for (int i = 0; i < parts.size(); i++) {
        float[] actual =
            i < split.weights().size()
                ? split.weights().get(i)
                : split.biases().get(i - split.weights().size());
        assertTrue(java.util.Arrays.equals(parts.get(i), actual), mode + " part " + i);
      }
      IllegalArgumentException error =
          assertThrows(
              IllegalArgumentException.class,
              () -> CudnnCanonical.splitOpaque(new float[total - 1], mode, INPUT, UNITS),
              mode + " wrong buffer size");
      assertTrue(error.getMessage().contains(String.valueOf(total)), error.getMessage());
    }
  }

  @Test
  void peepholeWeightsAreRejected() {
    String scope = "rnn/lstm_cell";
    List<String> keys =
        List.of(scope + "/kernel", scope + "/bias", scope + "/w_f_diag", scope + "/w_i_diag");
    CheckpointFormatException error =
        assertThrows(CheckpointFormatException.class, () -> Tf1Cells.lstmKeys(keys, scope));
    assertTrue(error.getMessage().contains(scope + "/w_f_diag"), error.getMessage());
    assertTrue(error.getMessage().contains(scope + "/w_i_diag"), error.getMessage());

    List<String> projected =
        List.of(scope + "/kernel", scope + "/bias", scope + "/projection/kernel");
    CheckpointFormatException projection =
        assertThrows(CheckpointFormatException.class, () -> Tf1Cells.lstmKeys(projected, scope));
    assertTrue(projection.getMessage().contains("projection/kernel"), projection.getMessage());
  }

  @Test
  void findsBothTf1VariableSpellings() throws CheckpointFormatException {
    String old = "rnnlm/multi_rnn_cell/cell_0/basic_lstm_cell";
    Tf1Cells.LstmKeys tf10 = Tf1Cells.lstmKeys(List.of(old + "/weights", old + "/biases"), old);
    assertEquals(old + "/weights", tf10.kernel(), "TF 1.0 kernel name");
    assertEquals(old + "/biases", tf10.bias(), "TF 1.0 bias name");

    String gru = "rnn/gru_cell";
    Tf1Cells.GruKeys gruKeys =
        Tf1Cells.gruKeys(
            List.of(
                gru + "/gates/kernel",
                gru + "/gates/bias",
                gru + "/candidate/kernel",
                gru + "/candidate/bias"),
            gru);
    assertEquals(gru + "/gates/kernel", gruKeys.gatesKernel(), "gates kernel");
    assertEquals(gru + "/candidate/bias", gruKeys.candidateBias(), "candidate bias");

    CheckpointFormatException missing =
        assertThrows(
            CheckpointFormatException.class,
            () -> Tf1Cells.lstmKeys(List.of(old + "/weights"), old));
    assertTrue(missing.getMessage().contains(old + "/bias"), missing.getMessage());
  }

  @Test
  void wrongSizeNamesExpectedLength() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> Tf1Cells.lstm(new float[10], new float[16], INPUT, UNITS, 1.0f));
    assertTrue(error.getMessage().contains("expected 112"), error.getMessage());
  }
}
