package io.rnnkit.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Compares every cell kind, in both directions and inside {@link Bidirectional}, with {@link
 * ReferenceCells} on {@code T = 5}, {@code B = 3} and lengths 5, 3 and 0.
 */
class CellReferenceTest {

  private static final int INPUT = 3;
  private static final int HIDDEN = 4;
  private static final int STEPS = 5;
  private static final int[] LENGTHS = {5, 3, 0};
  private static final double TOLERANCE = 1e-5;

  enum Kind {
    LSTM(4, 2),
    GRU(3, 1),
    GRU_RESET_BEFORE(3, 1),
    SIMPLE_RNN(1, 1);

    final int gates;
    final int stateParts;

    Kind(int gates, int stateParts) {
      this.gates = gates;
      this.stateParts = stateParts;
    }

    CellFactory<? extends RnnState> factory() {
      CellFactory<LstmState> lstm = LstmCell::create;
      CellFactory<HiddenState> gru = GruCell::create;
      CellFactory<HiddenState> gruResetBefore = (s, n, i, h) -> GruCell.create(s, n, i, h, false);
      CellFactory<HiddenState> simpleRnn = SimpleRnnCell::create;
      return switch (this) {
        case LSTM -> lstm;
        case GRU -> gru;
        case GRU_RESET_BEFORE -> gruResetBefore;
        case SIMPLE_RNN -> simpleRnn;
      };
    }

    ReferenceCells.Step reference(float[] kernel, float[] recurrent, float[] bias) {
      return switch (this) {
        case LSTM -> ReferenceCells.lstm(kernel, recurrent, bias, HIDDEN);
        case GRU -> ReferenceCells.gru(kernel, recurrent, bias, HIDDEN, true);
        case GRU_RESET_BEFORE -> ReferenceCells.gru(kernel, recurrent, bias, HIDDEN, false);
        case SIMPLE_RNN ->
            (x, state) -> {
              double[] z = ReferenceCells.affine(x, kernel, HIDDEN, bias, 0);
              double[] r = ReferenceCells.affine(state[0], recurrent, HIDDEN, null, 0);
              double[] h = new double[HIDDEN];
              for (int k = 0; k < HIDDEN; k++) {
                h[k] = Math.tanh(z[k] + r[k]);
              }
              return new double[][] {h};
            };
      };
    }
  }

  /** Graph outputs of one layer: outputs {@code [B, T, D*H]} and final hidden states. */
  private record Fetches(Operand<TFloat32> outputs, List<Operand<TFloat32>> finalHidden) {}

  private static <S extends RnnState> Fetches unidirectional(
      Ops tf,
      ParameterStore store,
      CellFactory<S> factory,
      Operand<TFloat32> inputs,
      Operand<TInt32> lengths,
      boolean backwards) {
    RnnCell<S> cell = factory.create(store, "rnn", INPUT, HIDDEN);
    RnnOutput<S> out = Rnn.of(cell).goBackwards(backwards).apply(tf, inputs, lengths, STEPS);
    return new Fetches(out.outputs(), List.of(out.finalState().hidden()));
  }

  private static <S extends RnnState> Fetches bidirectional(
      Ops tf,
      ParameterStore store,
      CellFactory<S> factory,
      Operand<TFloat32> inputs,
      Operand<TInt32> lengths) {
    Bidirectional<S> layer =
        Bidirectional.create(
            store, "bidirectional", "rnn", factory, INPUT, HIDDEN, MergeMode.CONCAT);
    BidirectionalOutput<S> out = layer.apply(tf, inputs, lengths, STEPS);
    return new Fetches(
        out.outputs(), List.of(out.forwardState().hidden(), out.backwardState().hidden()));
  }

  private static float[] randomValues(Random random, long size) {
    float[] values = new float[(int) size];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (random.nextDouble() - 0.5);
    }
    return values;
  }

  private static double[][][] randomInputs(Random random) {
    double[][][] inputs = new double[LENGTHS.length][STEPS][INPUT];
    for (double[][] row : inputs) {
      for (double[] step : row) {
        for (int i = 0; i < INPUT; i++) {
          step[i] = (float) (2 * random.nextDouble() - 1);
        }
      }
    }
    return inputs;
  }

  private static float[][][] toFloat(double[][][] values) {
    float[][][] result = new float[values.length][values[0].length][values[0][0].length];
    for (int b = 0; b < values.length; b++) {
      for (int t = 0; t < values[0].length; t++) {
        for (int i = 0; i < values[0][0].length; i++) {
          result[b][t][i] = (float) values[b][t][i];
        }
      }
    }
    return result;
  }

  /** Runs the layer with random weights and checks it against the reference cells. */
  private static void compare(Kind kind, String direction) {
    Random random = new Random(kind.ordinal() * 31L + direction.hashCode());
    double[][][] inputs = randomInputs(random);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParameterStore store = ParameterStore.forRestore(tf);
      Operand<TFloat32> inputOp = tf.constant(toFloat(inputs));
      Operand<TInt32> lengths = tf.constant(LENGTHS);
      Fetches fetches =
          switch (direction) {
            case "forward" -> unidirectional(tf, store, kind.factory(), inputOp, lengths, false);
            case "backward" -> unidirectional(tf, store, kind.factory(), inputOp, lengths, true);
            default -> bidirectional(tf, store, kind.factory(), inputOp, lengths);
          };
      try (GraphRunner runner = new GraphRunner(g)) {
        List<ReferenceCells.Step> steps = new ArrayList<>();
        List<String> scopes = new ArrayList<>();
        store.variables().keySet().stream()
            .map(name -> name.substring(0, name.lastIndexOf('/')))
            .distinct()
            .forEach(scopes::add);
        for (String scope : scopes) {
          float[][] weights = new float[3][];
          String[] names = {"kernel", "recurrent_kernel", "bias"};
          for (int w = 0; w < 3; w++) {
            String name = scope + "/" + names[w];
            weights[w] = randomValues(random, store.shape(name).size());
            runner.feed(store.variables().get(name), weights[w]);
          }
          steps.add(kind.reference(weights[0], weights[1], weights[2]));
        }
        List<Operand<?>> toFetch = new ArrayList<>();
        toFetch.add(fetches.outputs());
        toFetch.addAll(fetches.finalHidden());
        List<float[]> actual = runner.fetch(toFetch);
        checkAgainstReference(kind, direction, inputs, steps, actual);
      }
    }
  }

  private static void checkAgainstReference(
      Kind kind,
      String direction,
      double[][][] inputs,
      List<ReferenceCells.Step> steps,
      List<float[]> actual) {
    int directions = steps.size();
    int width = directions * HIDDEN;
    float[] outputs = actual.get(0);
    assertEquals(LENGTHS.length * STEPS * width, outputs.length, kind + " " + direction + " size");
    for (int d = 0; d < directions; d++) {
      boolean backwards = direction.equals("backward") || d == 1;
      double[][] finalHidden = new double[LENGTHS.length][];
      double[][][] expected =
          ReferenceCells.run(
              steps.get(d), inputs, LENGTHS, HIDDEN, kind.stateParts, backwards, finalHidden);
      double maxOutputDiff = 0;
      double maxStateDiff = 0;
      for (int b = 0; b < LENGTHS.length; b++) {
        for (int k = 0; k < HIDDEN; k++) {
          for (int t = 0; t < STEPS; t++) {
            float value = outputs[(b * STEPS + t) * width + d * HIDDEN + k];
            maxOutputDiff = Math.max(maxOutputDiff, Math.abs(value - expected[b][t][k]));
          }
          float state = actual.get(1 + d)[b * HIDDEN + k];
          maxStateDiff = Math.max(maxStateDiff, Math.abs(state - finalHidden[b][k]));
        }
      }
      String label = kind + " " + direction + " direction " + d;
      assertTrue(maxOutputDiff < TOLERANCE, label + " outputs differ by " + maxOutputDiff);
      assertTrue(maxStateDiff < TOLERANCE, label + " final states differ by " + maxStateDiff);
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void forwardMatchesReference(Kind kind) {
    compare(kind, "forward");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void backwardMatchesReference(Kind kind) {
    compare(kind, "backward");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void bidirectionalConcatMatchesReference(Kind kind) {
    compare(kind, "bidirectional");
  }
}
