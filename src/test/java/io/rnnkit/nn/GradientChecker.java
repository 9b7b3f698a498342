package io.rnnkit.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * Compares the gradients of {@code Graph.addGradients} with central differences {@code (L(x + e) -
 * L(x - e)) / 2e}, one element at a time.
 *
 * <p>Parameters are variables or placeholders whose values are fed, float32 or float64. The cells
 * are float32 only, so their checks run in float32 with {@code e = 1e-2} and a tolerance of {@code
 * |analytic - numeric| <= 1e-3 + 1e-2 * max(|analytic|, |numeric|)}. On the small graphs of the
 * tests, float32 rounding adds about {@code 1e-7 / e = 1e-5} to a numeric derivative and the
 * truncation error is about {@code e^2 = 1e-4}, so a wrong gradient term of 1% or more is found.
 * Float64 parameters allow {@code e = 1e-6} and tolerances near {@code 1e-7}.
 */
final class GradientChecker {

  private final Graph graph;
  private final Operand<?> loss;
  private final List<Operand<?>> parameters = new ArrayList<>();
  private final List<double[]> values = new ArrayList<>();

  GradientChecker(Graph graph, Operand<?> loss) {
    this.graph = graph;
    this.loss = loss;
  }

  /** Adds a parameter with its values, row-major in its static shape. */
  GradientChecker parameter(Operand<?> parameter, double... parameterValues) {
    if (parameterValues.length != parameter.shape().size()) {
      throw new IllegalArgumentException(
          "parameter "
              + parameter.op().name()
              + " has shape "
              + parameter.shape()
              + ", got "
              + parameterValues.length
              + " values");
    }
    parameters.add(parameter);
    values.add(parameterValues.clone());
    return this;
  }

  /**
   * Checks every element of every parameter.
   *
   * @throws AssertionError listing the first mismatching elements
   */
  void check(double epsilon, double relativeTolerance, double absoluteTolerance) {
    Output<?>[] gradients = GradientPaths.addGradients(graph, loss, parameters);
    List<String> mismatches = new ArrayList<>();
    try (Session session = new Session(graph)) {
      List<double[]> analytic = run(session, List.of(gradients), values);
      for (int p = 0; p < parameters.size(); p++) {
        double[] base = values.get(p);
        for (int i = 0; i < base.length; i++) {
          double numeric = centralDifference(session, p, i, epsilon);
          double expected = analytic.get(p)[i];
          double bound =
              absoluteTolerance
                  + relativeTolerance * Math.max(Math.abs(expected), Math.abs(numeric));
          if (!(Math.abs(expected - numeric) <= bound)) {
            mismatches.add(
                parameters.get(p).op().name()
                    + "["
                    + i
                    + "]: analytic "
                    + expected
                    + ", numeric "
                    + numeric);
          }
        }
      }
    }
    if (!mismatches.isEmpty()) {
      throw new AssertionError(
          mismatches.size()
              + " gradient elements differ from central differences, first: "
              + mismatches.subList(0, Math.min(5, mismatches.size())));
    }
  }

  private double centralDifference(Session session, int parameter, int index, double epsilon) {
    double[] base = values.get(parameter);
    double original = base[index];
    boolean single = parameters.get(parameter).type() != TFloat64.class;
    double plus = single ? (float) (original + epsilon) : original + epsilon;
    double minus = single ? (float) (original - epsilon) : original - epsilon;
    List<double[]> perturbed = new ArrayList<>(values);
    double[] changed = base.clone();
    changed[index] = plus;
    perturbed.set(parameter, changed);
    double lossPlus = run(session, List.of(loss), perturbed).get(0)[0];
    changed = base.clone();
    changed[index] = minus;
    perturbed.set(parameter, changed);
    double lossMinus = run(session, List.of(loss), perturbed).get(0)[0];
    return (lossPlus - lossMinus) / (plus - minus);
  }

  private List<double[]> run(
      Session session, List<? extends Operand<?>> fetches, List<double[]> feedValues) {
    List<Tensor> feeds = new ArrayList<>();
    try {
      var runner = session.runner();
      for (int p = 0; p < parameters.size(); p++) {
        Tensor tensor = tensorOf(parameters.get(p), feedValues.get(p));
        feeds.add(tensor);
        runner.feed(parameters.get(p), tensor);
      }
      fetches.forEach(runner::fetch);
      List<double[]> results = new ArrayList<>();
      try (Result result = runner.run()) {
        for (int f = 0; f < fetches.size(); f++) {
          results.add(toDoubles(result.get(f)));
        }
      }
      return results;
    } finally {
      feeds.forEach(Tensor::close);
    }
  }

  private static Tensor tensorOf(Operand<?> parameter, double[] data) {
    if (parameter.type() == TFloat64.class) {
      return TFloat64.tensorOf(parameter.shape(), DataBuffers.of(data, true, false));
    }
    float[] floats = new float[data.length];
    for (int i = 0; i < data.length; i++) {
      floats[i] = (float) data[i];
    }
    return TFloat32.tensorOf(parameter.shape(), DataBuffers.of(floats, true, false));
  }

  private static double[] toDoubles(Tensor tensor) {
    int size = (int) tensor.shape().size();
    double[] result = new double[size];
    if (tensor instanceof TFloat64) {
      tensor.asRawTensor().data().asDoubles().read(result);
      return result;
    }
    var floats = tensor.asRawTensor().data().asFloats();
    for (int i = 0; i < size; i++) {
      result[i] = floats.getFloat(i);
    }
    return result;
  }
}
