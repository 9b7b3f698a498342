package io.rnnkit.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * Runs a test graph with fed values. Feeding a variable's output replaces its value in that run, so
 * tests set weights without initializers or assign ops.
 */
final class GraphRunner implements AutoCloseable {

  private final Session session;
  private final List<Operand<?>> fedOperands = new ArrayList<>();
  private final List<Tensor> fedTensors = new ArrayList<>();

  GraphRunner(Graph graph) {
    this.session = new Session(graph);
  }

  /** Feeds {@code values} (row-major) with the static shape of {@code operand}. */
  GraphRunner feed(Operand<?> operand, float... values) {
    return feed(operand, operand.shape(), values);
  }

  /** Feeds {@code values} (row-major) with {@code shape}. */
  GraphRunner feed(Operand<?> operand, Shape shape, float... values) {
    return put(operand, TFloat32.tensorOf(shape, DataBuffers.of(values, true, false)));
  }

  /** Feeds float64 {@code values} (row-major) with the static shape of {@code operand}. */
  GraphRunner feed64(Operand<?> operand, double... values) {
    return put(operand, TFloat64.tensorOf(operand.shape(), DataBuffers.of(values, true, false)));
  }

  /** Feeds {@code tensor}, replacing an earlier feed of the same operand. */
  private GraphRunner put(Operand<?> operand, Tensor tensor) {
    int index = fedOperands.indexOf(operand);
    if (index >= 0) {
      fedTensors.get(index).close();
      fedTensors.set(index, tensor);
    } else {
      fedOperands.add(operand);
      fedTensors.add(tensor);
    }
    return this;
  }

  /** Runs the graph and returns each fetched float32 tensor flattened row-major. */
  List<float[]> fetch(List<? extends Operand<?>> fetches) {
    var runner = session.runner();
    for (int i = 0; i < fedOperands.size(); i++) {
      runner.feed(fedOperands.get(i), fedTensors.get(i));
    }
    fetches.forEach(runner::fetch);
    List<float[]> values = new ArrayList<>();
    try (Result result = runner.run()) {
      for (int i = 0; i < fetches.size(); i++) {
        values.add(flatten(result.get(i)));
      }
    }
    return values;
  }

  /** Runs the graph with one extra feed of any type and returns one fetched float tensor. */
  float[] fetchWith(Operand<?> fed, Tensor value, Operand<?> fetch) {
    var runner = session.runner();
    for (int i = 0; i < fedOperands.size(); i++) {
      runner.feed(fedOperands.get(i), fedTensors.get(i));
    }
    runner.feed(fed, value).fetch(fetch);
    try (Result result = runner.run()) {
      return flatten(result.get(0));
    }
  }

  /** Runs the graph and returns one fetched tensor flattened row-major. */
  float[] fetch(Operand<?> fetch) {
    return fetch(List.of(fetch)).get(0);
  }

  /** Runs the graph and returns one fetched scalar. */
  float scalar(Operand<?> fetch) {
    return fetch(fetch)[0];
  }

  private static float[] flatten(Tensor tensor) {
    float[] values = new float[(int) tensor.shape().size()];
    if (tensor instanceof TFloat64) {
      var doubles = tensor.asRawTensor().data().asDoubles();
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) doubles.getDouble(i);
      }
      return values;
    }
    tensor.asRawTensor().data().asFloats().read(values);
    return values;
  }

  @Override
  public void close() {
    fedTensors.forEach(Tensor::close);
    session.close();
  }
}
