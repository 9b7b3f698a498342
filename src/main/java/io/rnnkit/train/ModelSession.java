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
  private GroupInputs groupInputs;

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

  /**
   * Builds one clipped, finite-gated update per layer group for {@code loss}. Each group has its
   * own learning-rate placeholder and an {@code enabled} bool placeholder. A group's update runs
   * only where it is enabled and the loss and the global norm are finite, so the variables and
   * optimizer slots of a disabled group stay bit-identical. The global norm, and so the clipping,
   * spans the gradients of the enabled groups only. Each group counts its own applied updates for
   * Adam's bias correction; {@code global_step} counts steps where anything was applied.
   *
   * <p>Variables in no group do not train. Every call must pass the same groups, because the
   * placeholders are shared by the updates of all bucket lengths.
   *
   * @param groups disjoint groups; each must select at least one variable
   */
  public GroupedUpdate buildGroupedUpdate(Operand<TFloat32> loss, List<LayerGroup> groups) {
    if (session != null && !updateBuilt) {
      throw new IllegalStateException(
          "the first update op creates the optimizer's slot variables, so it must be built"
              + " before start()");
    }
    GroupInputs inputs = groupInputs(groups);
    updateBuilt = true;
    List<String> allNames = new ArrayList<>();
    List<Variable<TFloat32>> allVariables = new ArrayList<>();
    for (List<String> names : inputs.names()) {
      allNames.addAll(names);
      for (String name : names) {
        allVariables.add(store.variables().get(name));
      }
    }
    GradientCheck.requireReachable(graph, loss, allNames, allVariables);
    Output<?>[] outputs =
        graph.addGradients(
            loss.asOutput(),
            allVariables.stream().map(Variable::asOutput).toArray(Output<?>[]::new));
    List<List<Operand<TFloat32>>> gradients = new ArrayList<>();
    Operand<TFloat32> squares = tf.constant(0f);
    int next = 0;
    for (int g = 0; g < groups.size(); g++) {
      List<Operand<TFloat32>> groupGradients = new ArrayList<>();
      for (int i = 0; i < inputs.names().get(g).size(); i++) {
        @SuppressWarnings("unchecked")
        Operand<TFloat32> gradient = (Operand<TFloat32>) outputs[next++];
        groupGradients.add(gradient);
      }
      gradients.add(groupGradients);
      Operand<TFloat32> groupSquares =
          tf.math.square(GradientClipping.globalNorm(tf, groupGradients));
      squares =
          tf.math.add(squares, tf.select(inputs.enabled().get(g), groupSquares, tf.constant(0f)));
    }
    Operand<TFloat32> norm = tf.math.sqrt(squares);
    Operand<TBool> finite = tf.math.logicalAnd(tf.math.isFinite(norm), tf.math.isFinite(loss));
    Operand<TFloat32> scale = tf.constant(1f);
    if (training.getClipNorm() > 0f) {
      Operand<TFloat32> limit = tf.constant(training.getClipNorm());
      scale = tf.math.div(limit, tf.math.maximum(norm, limit));
    }
    List<Op> groupUpdates = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      List<Operand<TFloat32>> scaled = new ArrayList<>();
      for (Operand<TFloat32> gradient : gradients.get(g)) {
        scaled.add(tf.math.mul(gradient, scale));
      }
      List<Variable<TFloat32>> variables = new ArrayList<>();
      for (String name : inputs.names().get(g)) {
        variables.add(store.variables().get(name));
      }
      Operand<TBool> apply = tf.math.logicalAnd(inputs.enabled().get(g), finite);
      groupUpdates.add(
          optimizer.applyGradients(
              inputs.names().get(g),
              variables,
              scaled,
              inputs.rates().get(g),
              apply,
              inputs.counters().get(g)));
    }
    // The increment must not wait for the group updates: the ops of a disabled group are dead,
    // and a control edge from a dead op would make the increment dead as well.
    Operand<TInt64> one = tf.switchCond(tf.constant(1L), finite).outputTrue();
    groupUpdates.add(tf.assignAdd(optimizer.globalStep(), one));
    Op train = tf.withControlDependencies(groupUpdates).noOp();
    return new GroupedUpdate(train, norm, inputs.rates(), inputs.enabled());
  }

  private GroupInputs groupInputs(List<LayerGroup> groups) {
    if (groupInputs != null) {
      if (!groupInputs.groups().equals(groups)) {
        throw new IllegalArgumentException(
            "groups must be the same in every grouped update, got "
                + groups
                + " after "
                + groupInputs.groups());
      }
      return groupInputs;
    }
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("groups must not be empty");
    }
    List<List<String>> names = new ArrayList<>();
    for (LayerGroup group : groups) {
      List<String> selected = new ArrayList<>();
      for (String name : store.variables().keySet()) {
        if (group.contains(name)) {
          for (int g = 0; g < names.size(); g++) {
            if (names.get(g).contains(name)) {
              throw new IllegalArgumentException(
                  "variable "
                      + name
                      + " is in groups "
                      + groups.get(g).name()
                      + " and "
                      + group.name()
                      + "; groups must be disjoint");
            }
          }
          selected.add(name);
        }
      }
      if (selected.isEmpty()) {
        throw new IllegalArgumentException(
            "group "
                + group.name()
                + " selects no variable with prefixes "
                + group.prefixes()
                + "; variables are "
                + store.variables().keySet());
      }
      names.add(selected);
    }
    Ops scope = tf.withSubScope("layer_groups");
    Ops init = tf.withInitScope();
    List<Placeholder<TFloat32>> rates = new ArrayList<>();
    List<Placeholder<TBool>> enabled = new ArrayList<>();
    List<Variable<TInt64>> counters = new ArrayList<>();
    Ops counterScope = tf.withSubScope("optimizer_group_steps");
    for (LayerGroup group : groups) {
      rates.add(
          scope
              .withName(group.name() + "_learning_rate")
              .placeholder(TFloat32.class, Placeholder.shape(Shape.scalar())));
      enabled.add(
          scope
              .withName(group.name() + "_enabled")
              .placeholder(TBool.class, Placeholder.shape(Shape.scalar())));
      counters.add(
          counterScope.withSubScope(group.name()).withName("step").variable(init.constant(0L)));
    }
    trainableNames = names.stream().flatMap(List::stream).toList();
    groupInputs = new GroupInputs(List.copyOf(groups), names, rates, enabled, counters);
    return groupInputs;
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

  /**
   * Train op of a grouped update, the global norm of the enabled groups' gradients (before
   * clipping), and the scalar placeholders to feed at every step, one per group in group order.
   */
  public record GroupedUpdate(
      Op train,
      Operand<TFloat32> globalNorm,
      List<Placeholder<TFloat32>> learningRates,
      List<Placeholder<TBool>> enabled) {}

  private record GroupInputs(
      List<LayerGroup> groups,
      List<List<String>> names,
      List<Placeholder<TFloat32>> rates,
      List<Placeholder<TBool>> enabled,
      List<Variable<TInt64>> counters) {}
}
