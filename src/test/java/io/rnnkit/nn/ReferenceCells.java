package io.rnnkit.nn;

/**
 * Plain-Java float64 versions of the cells, written from the Keras equations independently of the
 * graph code. Weights are row-major float arrays as fed to the graph: {@code kernel [I, G*H]},
 * {@code recurrentKernel [H, G*H]}, {@code bias [G*H]} or {@code [2, G*H]}.
 */
final class ReferenceCells {
  private ReferenceCells() {}

  /** One step: returns the new state parts from input {@code x [I]} and state parts. */
  interface Step {
    double[][] apply(double[] x, double[][] state);
  }

  /** Returns {@code v M + b} for {@code v [n]}, {@code M [n, cols]} row-major. */
  static double[] affine(double[] v, float[] matrix, int cols, float[] bias, int biasOffset) {
    double[] out = new double[cols];
    for (int j = 0; j < cols; j++) {
      double sum = bias == null ? 0 : bias[biasOffset + j];
      for (int i = 0; i < v.length; i++) {
        sum += v[i] * matrix[i * cols + j];
      }
      out[j] = sum;
    }
    return out;
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** LSTM with gates i, f, c, o; state parts {h, c}. */
  static Step lstm(float[] kernel, float[] recurrent, float[] bias, int hidden) {
    return (x, state) -> {
      double[] zx = affine(x, kernel, 4 * hidden, bias, 0);
      double[] zh = affine(state[0], recurrent, 4 * hidden, null, 0);
      double[] h = new double[hidden];
      double[] c = new double[hidden];
      for (int k = 0; k < hidden; k++) {
        double i = sigmoid(zx[k] + zh[k]);
        double f = sigmoid(zx[hidden + k] + zh[hidden + k]);
        double g = Math.tanh(zx[2 * hidden + k] + zh[2 * hidden + k]);
        double o = sigmoid(zx[3 * hidden + k] + zh[3 * hidden + k]);
        c[k] = f * state[1][k] + i * g;
        h[k] = o * Math.tanh(c[k]);
      }
      return new double[][] {h, c};
    };
  }

  /** GRU with gates z, r, h; {@code resetAfter} uses bias {@code [2, 3H]}, else {@code [3H]}. */
  static Step gru(float[] kernel, float[] recurrent, float[] bias, int hidden, boolean resetAfter) {
    int cols = 3 * hidden;
    return (x, state) -> {
      double[] hPrev = state[0];
      double[] xz = affine(x, kernel, cols, bias, 0);
      double[] inner = affine(hPrev, recurrent, cols, resetAfter ? bias : null, cols);
      double[] h = new double[hidden];
      double[] r = new double[hidden];
      double[] z = new double[hidden];
      for (int k = 0; k < hidden; k++) {
        z[k] = sigmoid(xz[k] + inner[k]);
        r[k] = sigmoid(xz[hidden + k] + inner[hidden + k]);
      }
      for (int k = 0; k < hidden; k++) {
        double recurrentH;
        if (resetAfter) {
          recurrentH = r[k] * inner[2 * hidden + k];
        } else {
          recurrentH = 0;
          for (int i = 0; i < hidden; i++) {
            recurrentH += r[i] * hPrev[i] * recurrent[i * cols + 2 * hidden + k];
          }
        }
        double candidate = Math.tanh(xz[2 * hidden + k] + recurrentH);
        h[k] = z[k] * hPrev[k] + (1 - z[k]) * candidate;
      }
      return new double[][] {h};
    };
  }

  /**
   * Runs {@code step} over each row's first {@code lengths[b]} steps of {@code inputs [B][T][I]}
   * from a zero state with {@code parts} parts of size {@code hidden}.
   *
   * @return outputs {@code [B][T][H]} (0 at padded steps, aligned to the input steps) and, in
   *     {@code finalHidden}, the hidden part of each row's final state
   */
  static double[][][] run(
      Step step,
      double[][][] inputs,
      int[] lengths,
      int hidden,
      int parts,
      boolean backwards,
      double[][] finalHidden) {
    int timeSteps = inputs[0].length;
    double[][][] outputs = new double[inputs.length][timeSteps][hidden];
    for (int b = 0; b < inputs.length; b++) {
      double[][] state = new double[parts][hidden];
      for (int n = 0; n < lengths[b]; n++) {
        int t = backwards ? lengths[b] - 1 - n : n;
        state = step.apply(inputs[b][t], state);
        outputs[b][t] = state[0].clone();
      }
      finalHidden[b] = state[0];
    }
    return outputs;
  }
}
