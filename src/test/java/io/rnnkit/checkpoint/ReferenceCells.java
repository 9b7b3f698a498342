package io.rnnkit.checkpoint;

/**
 * Float64 forward steps of recurrent cells, each written from its own library's equations, for
 * checking that translated weights compute the same function. Matrices are row-major float arrays.
 */
final class ReferenceCells {
  private ReferenceCells() {}

  static double sigmoid(double x) {
    return 1.0 / (1.0 + Math.exp(-x));
  }

  /** Returns column {@code col} of {@code v · M} for row-major {@code M [v.length, width]}. */
  static double dot(double[] v, float[] m, int width, int col) {
    double sum = 0;
    for (int r = 0; r < v.length; r++) {
      sum += v[r] * m[r * width + col];
    }
    return sum;
  }

  /** Returns row {@code row} of {@code W · v} for row-major {@code W [rows, v.length]}. */
  static double matVec(float[] w, double[] v, int row) {
    double sum = 0;
    for (int c = 0; c < v.length; c++) {
      sum += w[row * v.length + c] * v[c];
    }
    return sum;
  }

  static double[] concat(double[] a, double[] b) {
    double[] out = new double[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Keras LSTM step; returns {@code [h', c']}. Gates i, f, c, o. */
  static double[][] kerasLstm(KerasLstmWeights w, double[] x, double[] h, double[] c) {
    int units = w.units();
    int width = 4 * units;
    double[] newH = new double[units];
    double[] newC = new double[units];
    for (int u = 0; u < units; u++) {
      double[] z = new double[4];
      for (int g = 0; g < 4; g++) {
        int col = g * units + u;
        z[g] =
            dot(x, w.kernel(), width, col)
                + dot(h, w.recurrentKernel(), width, col)
                + w.bias()[col];
      }
      newC[u] = sigmoid(z[1]) * c[u] + sigmoid(z[0]) * Math.tanh(z[2]);
      newH[u] = sigmoid(z[3]) * Math.tanh(newC[u]);
    }
    return new double[][] {newH, newC};
  }

  /**
   * TF1 {@code BasicLSTMCell} step; kernel [I+H, 4H] gates i, j, f, o. Returns {@code [h', c']}.
   */
  static double[][] tf1Lstm(
      float[] kernel, float[] bias, float forgetBias, double[] x, double[] h, double[] c) {
    int units = h.length;
    int width = 4 * units;
    double[] xh = concat(x, h);
    double[] newH = new double[units];
    double[] newC = new double[units];
    for (int u = 0; u < units; u++) {
      double i = dot(xh, kernel, width, u) + bias[u];
      double j = dot(xh, kernel, width, units + u) + bias[units + u];
      double f = dot(xh, kernel, width, 2 * units + u) + bias[2 * units + u];
      double o = dot(xh, kernel, width, 3 * units + u) + bias[3 * units + u];
      newC[u] = c[u] * sigmoid(f + forgetBias) + sigmoid(i) * Math.tanh(j);
      newH[u] = Math.tanh(newC[u]) * sigmoid(o);
    }
    return new double[][] {newH, newC};
  }

  /** Keras GRU step, either {@code reset_after} mode; gates z, r, h. */
  static double[] kerasGru(KerasGruWeights w, double[] x, double[] h) {
    int units = w.units();
    int width = 3 * units;
    float[] inputBias = w.bias();
    int recurrentBiasOffset = w.resetAfter() ? width : -1;
    double[] newH = new double[units];
    for (int u = 0; u < units; u++) {
      double[] xw = new double[3];
      double[] hu = new double[3];
      for (int g = 0; g < 3; g++) {
        int col = g * units + u;
        xw[g] = dot(x, w.kernel(), width, col) + inputBias[col];
        hu[g] = dot(h, w.recurrentKernel(), width, col);
        if (recurrentBiasOffset >= 0) {
          hu[g] += w.bias()[recurrentBiasOffset + col];
        }
      }
      double z = sigmoid(xw[0] + hu[0]);
      double r = sigmoid(xw[1] + hu[1]);
      double candidate;
      if (w.resetAfter()) {
        candidate = Math.tanh(xw[2] + r * hu[2]);
      } else {
        double[] rh = new double[units];
        for (int k = 0; k < units; k++) {
          double rk =
              sigmoid(
                  dot(x, w.kernel(), width, units + k)
                      + inputBias[units + k]
                      + dot(h, w.recurrentKernel(), width, units + k));
          rh[k] = rk * h[k];
        }
        candidate = Math.tanh(xw[2] + dot(rh, w.recurrentKernel(), width, 2 * units + u));
      }
      newH[u] = z * h[u] + (1 - z) * candidate;
    }
    return newH;
  }

  /** TF1 {@code GRUCell} step: gates kernel [I+H, 2H] (r, u), candidate kernel [I+H, H]. */
  static double[] tf1Gru(
      float[] gatesKernel,
      float[] gatesBias,
      float[] candidateKernel,
      float[] candidateBias,
      double[] x,
      double[] h) {
    int units = h.length;
    double[] xh = concat(x, h);
    double[] r = new double[units];
    double[] update = new double[units];
    for (int k = 0; k < units; k++) {
      r[k] = sigmoid(dot(xh, gatesKernel, 2 * units, k) + gatesBias[k]);
      update[k] = sigmoid(dot(xh, gatesKernel, 2 * units, units + k) + gatesBias[units + k]);
    }
    double[] rState = new double[units];
    for (int k = 0; k < units; k++) {
      rState[k] = r[k] * h[k];
    }
    double[] xr = concat(x, rState);
    double[] newH = new double[units];
    for (int k = 0; k < units; k++) {
      double c = Math.tanh(dot(xr, candidateKernel, units, k) + candidateBias[k]);
      newH[k] = update[k] * h[k] + (1 - update[k]) * c;
    }
    return newH;
  }

  /** cuDNN LSTM step from canonical weights (gates i, f, c, o). Returns {@code [h', c']}. */
  static double[][] cudnnLstm(
      CudnnCanonical.CanonicalParams p, double[] x, double[] h, double[] c) {
    int units = h.length;
    double[] newH = new double[units];
    double[] newC = new double[units];
    for (int u = 0; u < units; u++) {
      double[] gate = new double[4];
      for (int g = 0; g < 4; g++) {
        gate[g] =
            matVec(p.weights().get(g), x, u)
                + matVec(p.weights().get(4 + g), h, u)
                + p.biases().get(g)[u]
                + p.biases().get(4 + g)[u];
      }
      newC[u] = sigmoid(gate[1]) * c[u] + sigmoid(gate[0]) * Math.tanh(gate[2]);
      newH[u] = sigmoid(gate[3]) * Math.tanh(newC[u]);
    }
    return new double[][] {newH, newC};
  }

  /** cuDNN GRU step from canonical weights (gates r, z, h), reset applied after R_h·h + b_Rh. */
  static double[] cudnnGru(CudnnCanonical.CanonicalParams p, double[] x, double[] h) {
    int units = h.length;
    double[] newH = new double[units];
    for (int u = 0; u < units; u++) {
      double r =
          sigmoid(
              matVec(p.weights().get(0), x, u)
                  + matVec(p.weights().get(3), h, u)
                  + p.biases().get(0)[u]
                  + p.biases().get(3)[u]);
      double z =
          sigmoid(
              matVec(p.weights().get(1), x, u)
                  + matVec(p.weights().get(4), h, u)
                  + p.biases().get(1)[u]
                  + p.biases().get(4)[u]);
      double candidate =
          Math.tanh(
              matVec(p.weights().get(2), x, u)
                  + p.biases().get(2)[u]
                  + r * (matVec(p.weights().get(5), h, u) + p.biases().get(5)[u]));
      newH[u] = (1 - z) * candidate + z * h[u];
    }
    return newH;
  }

  /** Keras SimpleRNN step. */
  static double[] kerasSimpleRnn(KerasSimpleRnnWeights w, double[] x, double[] h) {
    int units = w.units();
    double[] out = new double[units];
    for (int u = 0; u < units; u++) {
      out[u] =
          Math.tanh(
              dot(x, w.kernel(), units, u) + dot(h, w.recurrentKernel(), units, u) + w.bias()[u]);
    }
    return out;
  }

  /** cuDNN tanh-RNN step from canonical weights. */
  static double[] cudnnRnnTanh(CudnnCanonical.CanonicalParams p, double[] x, double[] h) {
    int units = h.length;
    double[] out = new double[units];
    for (int u = 0; u < units; u++) {
      out[u] =
          Math.tanh(
              matVec(p.weights().get(0), x, u)
                  + matVec(p.weights().get(1), h, u)
                  + p.biases().get(0)[u]
                  + p.biases().get(1)[u]);
    }
    return out;
  }
}
