package io.rnnkit.train;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.model.Network;
import io.rnnkit.nn.GradientClipping;
import io.rnnkit.nn.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * One training graph and its session: the network's variables, the optimizer and its slots, and the
 * update ops of every bucket length, all sharing those variables.
 *
 * <p>Not thread-safe: one trainer drives it.
 */
public final class ModelSession implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ModelSession.class);

  private final Graph graph;
  private final Ops tf;
  private final ParameterStore store;
  private final Network network;
  private final Optimizer optimizer;
  private final TrainingConfig training;
  private final Placeholder<TFloat32> learningRate;
  private final Operand<TInt64> dropoutSeed;
  private List<String> trainableNames;
  private Session session;
  private boolean updateBuilt;

  private ModelSession(ModelConfig model, TrainingConfig training, int vocabularySize) {
    this.graph = new Graph();
    this.tf = Ops.create(graph);
    this.training = TrainingConfigs.validate(training);
    this.store = ParameterStore.forTraining(tf, training.getSeed());
    this.network = Network.create(store, model, vocabularySize);
    this.optimizer = Optimizer.create(tf, training);
    this.learningRate =
        tf.withName("learning_rate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    this.dropoutSeed =
        tf.withName("dropout_seed")
            .placeholderWithDefault(tf.constant(new long[] {training.getSeed(), 0L}), Shape.of(2));
    this.trainableNames = new ArrayList<>(store.variables().keySet());
  }

  /** Builds the network that {@code model} describes, with the optimizer of {@code training}. */
  public static ModelSession create(
      ModelConfig model, TrainingConfig training, int vocabularySize) {
    return new ModelSession(model, training, vocabularySize);
  }

  /**
   * Restricts training to the variables under {@code prefixes}; the others stay frozen. Must be
   * called before the first update op is built.
   */
  public void trainOnly(List<String> prefixes) {
    List<String> selected = new ArrayList<>();
    for (String name : store.variables().keySet()) {
      if (prefixes.stream().anyMatch(name::startsWith)) {
        selected.add(name);
      }
    }
    if (selected.isEmpty()) {
      throw new IllegalArgumentException(
          "no variable starts with any of "
              + prefixes
              + "; variables are "
              + store.variables().keySet());
    }
    trainableNames = selected;
  }

  /**
   * Builds the clipped, finite-gated update of the trained variables for {@code loss}.
   *
   * @return the train op and the global gradient norm before clipping
   */
  public Update buildUpdate(Operand<TFloat32> loss) {
    if (session != null && !updateBuilt) {
      throw new IllegalStateException(
          "the first update op creates the optimizer's slot variables, so it must be built"
              + " before start()");
    }
    updateBuilt = true;
    Map<String, Variable<TFloat32>> variables = store.variables();
    List<Variable<TFloat32>> trained = new ArrayList<>();
    for (String name : trainableNames) {
      trained.add(variables.get(name));
    }
    GradientCheck.requireReachable(graph, loss, trainableNames, trained);
    Output<?>[] outputs =
        graph.addGradients(
            loss.asOutput(), trained.stream().map(Variable::asOutput).toArray(Output<?>[]::new));
    List<Operand<TFloat32>> gradients = new ArrayList<>();
    for (Output<?> output : outputs) {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> gradient = (Operand<TFloat32>) output;
      gradients.add(gradient);
    }
    Operand<TFloat32> norm;
    if (training.getClipNorm() > 0f) {
      GradientClipping.Clipped clipped =
          GradientClipping.clipByGlobalNorm(tf, gradients, training.getClipNorm());
      gradients = clipped.gradients();
      norm = clipped.globalNorm();
    } else {
      norm = GradientClipping.globalNorm(tf, gradients);
    }
    Operand<TBool> finite = tf.math.logicalAnd(tf.math.isFinite(norm), tf.math.isFinite(loss));
    Op train = optimizer.applyGradients(trainableNames, trained, gradients, learningRate, finite);
    return new Update(train, norm);
  }

  /** Starts the session and runs every variable initializer. */
  public Session start() {
    if (session == null) {
      session = new Session(graph, sessionConfig());
      session.initialize();
      log.info(
          "Model graph ready: {} variables, {} trained, {} ops",
          store.variables().size(),
          trainableNames.size(),
          countOps());
    }
    return session;
  }

  private int countOps() {
    int count = 0;
    var it = graph.operations();
    while (it.hasNext()) {
      it.next();
      count++;
    }
    return count;
  }

  /**
   * Returns the options {@link #start()} opens the session with: the op threads and device of the
   * training configuration.
   */
  public ConfigProto sessionConfig() {
    return SessionConfigs.of(training);
  }

  /** Returns the running session; {@link #start()} must have been called. */
  public Session session() {
    if (session == null) {
      throw new IllegalStateException("the session has not been started; call start() first");
    }
    return session;
  }

  public Graph graph() {
    return graph;
  }

  public Ops ops() {
    return tf;
  }

  public ParameterStore store() {
    return store;
  }

  public Network network() {
    return network;
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  public TrainingConfig training() {
    return training;
  }

  /** Returns the scalar placeholder that every update reads its learning rate from. */
  public Placeholder<TFloat32> learningRate() {
    return learningRate;
  }

  /**
   * Returns the int64 {@code [2]} seed of the dropout masks. Trainers feed {@code (seed, step)} so
   * that every step draws new masks and a resumed run draws the same ones.
   */
  public Operand<TInt64> dropoutSeed() {
    return dropoutSeed;
  }

  /** Returns the full names of the trained variables. */
  public List<String> trainableNames() {
    return List.copyOf(trainableNames);
  }

  @Override
  public void close() {
    if (session != null) {
      session.close();
    }
    graph.close();
  }

  /** Train op and the global gradient norm (before clipping) of one loss. */
  public record Update(Op train, Operand<TFloat32> globalNorm) {}
}
