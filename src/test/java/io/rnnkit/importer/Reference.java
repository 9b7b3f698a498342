package io.rnnkit.importer;

import java.util.Random;

/**
 * Float64 forward passes written from each source library's own equations, independent of the
 * importer and of rnnkit's graph code. Matrices are row-major float arrays.
 */
final class Reference {
  private Reference() {}

  static double sigmoid(double x) {
    return 1.0 / (1.0 + Math.exp(-x));
  }

  /** Returns {@code v · M} for row-major {@code M [v.length, width]}. */
  static double[] times(double[] v, float[] m, int width) {
    double[] out = new double[width];
    for (int r = 0; r < v.length; r++) {
      for (int c = 0; c < width; c++) {
        out[c] += v[r] * m[r * width + c];
      }
    }
    return out;
  }

  static double[] concat(double[] a, double[] b) {
    double[] out = new double[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static double[] row(float[] table, int row, int width) {
    double[] out = new double[width];
    for (int i = 0; i < width; i++) {
      out[i] = table[row * width + i];
    }
    return out;
  }

  /**
   * TF1 {@code BasicLSTMCell} step: {@code [i, j, f, o] = [x, h]·W + b}, {@code c' = c·σ(f +
   * forgetBias) + σ(i)·tanh(j)}, {@code h' = tanh(c')·σ(o)}. Updates {@code h} and {@code c}.
   */
  static void tf1Lstm(
      float[] kernel, float[] bias, float forgetBias, double[] x, double[] h, double[] c) {
    int units = h.length;
    double[] z = times(concat(x, h), kernel, 4 * units);
    for (int u = 0; u < units; u++) {
      double i = z[u] + bias[u];
      double j = z[units + u] + bias[units + u];
      double f = z[2 * units + u] + bias[2 * units + u];
      double o = z[3 * units + u] + bias[3 * units + u];
      c[u] = c[u] * sigmoid(f + forgetBias) + sigmoid(i) * Math.tanh(j);
      h[u] = Math.tanh(c[u]) * sigmoid(o);
    }
  }

  /**
   * TF1 {@code GRUCell} step: {@code [r, u] = σ([x, h]·G + g)}, {@code c = tanh([x, r·h]·C + b_c)},
   * {@code h' = u·h + (1 - u)·c}. Updates {@code h}.
   */
  static void tf1Gru(
      float[] gatesKernel,
      float[] gatesBias,
      float[] candidateKernel,
      float[] candidateBias,
      double[] x,
      double[] h) {
    int units = h.length;
    double[] gates = times(concat(x, h), gatesKernel, 2 * units);
    double[] reset = new double[units];
    double[] update = new double[units];
    for (int k = 0; k < units; k++) {
      reset[k] = sigmoid(gates[k] + gatesBias[k]);
      update[k] = sigmoid(gates[units + k] + gatesBias[units + k]);
    }
    double[] resetState = new double[units];
    for (int k = 0; k < units; k++) {
      resetState[k] = reset[k] * h[k];
    }
    double[] candidate = times(concat(x, resetState), candidateKernel, units);
    for (int k = 0; k < units; k++) {
      double c = Math.tanh(candidate[k] + candidateBias[k]);
      h[k] = update[k] * h[k] + (1 - update[k]) * c;
    }
  }

  /** Keras LSTM step, gates i, f, c, o. Updates {@code h} and {@code c}. */
  static void kerasLstm(
      float[] kernel, float[] recurrent, float[] bias, double[] x, double[] h, double[] c) {
    int units = h.length;
    double[] zx = times(x, kernel, 4 * units);
    double[] zh = times(h, recurrent, 4 * units);
    for (int u = 0; u < units; u++) {
      double[] g = new double[4];
      for (int k = 0; k < 4; k++) {
        g[k] = zx[k * units + u] + zh[k * units + u] + bias[k * units + u];
      }
      c[u] = sigmoid(g[1]) * c[u] + sigmoid(g[0]) * Math.tanh(g[2]);
      h[u] = sigmoid(g[3]) * Math.tanh(c[u]);
    }
  }

  /**
   * cuDNN LSTM step from Keras CuDNNLSTM weights: gates i, f, c, o, each with an input bias (first
   * 4H of {@code bias}) and a recurrent bias (last 4H). Updates {@code h} and {@code c}.
   */
  static void cudnnLstm(
      float[] kernel, float[] recurrent, float[] bias, double[] x, double[] h, double[] c) {
    int units = h.length;
    double[] zx = times(x, kernel, 4 * units);
    double[] zh = times(h, recurrent, 4 * units);
    for (int u = 0; u < units; u++) {
      double[] g = new double[4];
      for (int k = 0; k < 4; k++) {
        int col = k * units + u;
        g[k] = (zx[col] + bias[col]) + (zh[col] + bias[4 * units + col]);
      }
      c[u] = sigmoid(g[1]) * c[u] + sigmoid(g[0]) * Math.tanh(g[2]);
      h[u] = sigmoid(g[3]) * Math.tanh(c[u]);
    }
  }

  /**
   * Keras GRU step, gates z, r, h. With {@code resetAfter} the bias is {@code [2, 3H]} (input row,
   * then recurrent row) and r multiplies {@code h·U_h + b_h}; otherwise the bias is {@code [3H]}
   * and r multiplies h before the product. Updates {@code h}.
   */
  static void kerasGru(
      float[] kernel, float[] recurrent, float[] bias, boolean resetAfter, double[] x, double[] h) {
    int units = h.length;
    int width = 3 * units;
    double[] xw = times(x, kernel, width);
    double[] hu = times(h, recurrent, width);
    double[] z = new double[units];
    double[] r = new double[units];
    for (int k = 0; k < units; k++) {
      double recurrentBiasZ = resetAfter ? bias[width + k] : 0;
      double recurrentBiasR = resetAfter ? bias[width + units + k] : 0;
      z[k] = sigmoid(xw[k] + bias[k] + hu[k] + recurrentBiasZ);
      r[k] = sigmoid(xw[units + k] + bias[units + k] + hu[units + k] + recurrentBiasR);
    }
    double[] candidate = new double[units];
    if (resetAfter) {
      for (int k = 0; k < units; k++) {
        double recurrentPart = hu[2 * units + k] + bias[width + 2 * units + k];
        candidate[k] = Math.tanh(xw[2 * units + k] + bias[2 * units + k] + r[k] * recurrentPart);
      }
    } else {
      double[] resetState = new double[units];
      for (int k = 0; k < units; k++) {
        resetState[k] = r[k] * h[k];
      }
      double[] product = times(resetState, recurrent, width);
      for (int k = 0; k < units; k++) {
        candidate[k] = Math.tanh(xw[2 * units + k] + bias[2 * units + k] + product[2 * units + k]);
      }
    }
    for (int k = 0; k < units; k++) {
      h[k] = z[k] * h[k] + (1 - z[k]) * candidate[k];
    }
  }

  /** Keras SimpleRNN step with tanh. Updates {@code h}. */
  static void kerasSimpleRnn(
      float[] kernel, float[] recurrent, float[] bias, double[] x, double[] h) {
    int units = h.length;
    double[] zx = times(x, kernel, units);
    double[] zh = times(h, recurrent, units);
    for (int k = 0; k < units; k++) {
      h[k] = Math.tanh(zx[k] + zh[k] + bias[k]);
    }
  }

  /** Returns {@code v·W + b}. */
  static double[] dense(double[] v, float[] kernel, float[] bias) {
    double[] out = times(v, kernel, bias.length);
    for (int i = 0; i < out.length; i++) {
      out[i] += bias[i];
    }
    return out;
  }

  static float[] randomArray(Random random, int length, double scale) {
    float[] values = new float[length];
    for (int i = 0; i < length; i++) {
      values[i] = (float) (random.nextGaussian() * scale);
    }
    return values;
  }
}
