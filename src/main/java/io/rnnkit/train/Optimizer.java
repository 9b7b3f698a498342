package io.rnnkit.train;

import io.rnnkit.config.OptimizerKind;
import io.rnnkit.config.TrainingConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Applies gradients with TensorFlow's fused training kernels ({@code ApplyGradientDescent}, {@code
 * ApplyMomentum}, {@code ApplyAdam}), taking the learning rate as an operand so that a schedule can
 * change it at every step without rebuilding the graph.
 *
 * <p>The optimizers of {@code tensorflow-framework} 1.1.0 take every variable of the graph and
 * store the learning rate as a constant, so they can neither freeze layers nor follow a schedule;
 * this class takes an explicit variable list instead.
 *
 * <p>Slot variables are created once per trained variable, named {@code optimizer_slots/<var>/m}
 * and {@code .../v} for Adam and {@code .../momentum} for momentum, and shared by every graph that
 * calls {@link #applyGradients}. The step counter {@code global_step} (int64) counts applied
 * updates; Adam's bias correction is computed from it.
 *
 * <p>An update is applied only where {@code apply} is true: each gradient passes through a {@code
 * Switch}, so when {@code apply} is false no kernel runs and every variable, slot and the step
 * counter stay bit-identical.
 */
public final class Optimizer {

  private final OptimizerKind kind;
  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private final float momentum;
  private final float weightDecay;
  private final Ops tf;
  private final Variable<TInt64> globalStep;
  private final Ops slotScope;
  private final Map<String, List<Variable<TFloat32>>> slots = new HashMap<>();
  private final Map<String, Ops> slotScopes = new HashMap<>();

  private Optimizer(Ops tf, OptimizerKind kind, float momentum, float weightDecay) {
    this.tf = tf;
    this.kind = kind;
    this.beta1 = 0.9f;
    this.beta2 = 0.999f;
    this.epsilon = 1e-7f;
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.globalStep = tf.withName("global_step").variable(tf.withInitScope().constant(0L));
    this.slotScope = tf.withSubScope("optimizer_slots");
  }

  /** Creates the optimizer that {@code config} names; unspecified means Adam. */
  public static Optimizer create(Ops tf, TrainingConfig config) {
    OptimizerKind kind =
        config.getOptimizer() == OptimizerKind.OPTIMIZER_KIND_UNSPECIFIED
            ? OptimizerKind.ADAM
            : config.getOptimizer();
    TrainingConfigs.checkOptimizer(config);
    return new Optimizer(tf, kind, config.getMomentum(), config.getWeightDecay());
  }

  /** Returns the number of updates applied so far (int64 scalar variable {@code global_step}). */
  public Variable<TInt64> globalStep() {
    return globalStep;
  }

  /**
   * Builds the update of {@code variables} by {@code gradients}.
   *
   * @param names full names of the variables, used for slot names
   * @param variables trained variables
   * @param gradients one gradient per variable, same shapes
   * @param learningRate scalar float32 operand, usually a placeholder fed by the schedule
   * @param apply scalar bool; the update runs only where it is true
   * @return an op that runs every update and increments {@code global_step}
   */
  public Op applyGradients(
      List<String> names,
      List<Variable<TFloat32>> variables,
      List<Operand<TFloat32>> gradients,
      Operand<TFloat32> learningRate,
      Operand<TBool> apply) {
    return applyGradients(names, variables, gradients, learningRate, apply, globalStep);
  }

  /**
   * Builds the update of {@code variables} as {@link #applyGradients(List, List, List, Operand,
   * Operand)} does, but counts applied updates in {@code stepCounter} instead of {@code
   * global_step}. Adam's bias correction then follows that counter, so a layer group that starts
   * training late gets the bias correction of its own first steps.
   *
   * @param stepCounter int64 scalar variable, incremented by 1 by every applied update
   */
  public Op applyGradients(
      List<String> names,
      List<Variable<TFloat32>> variables,
      List<Operand<TFloat32>> gradients,
      Operand<TFloat32> learningRate,
      Operand<TBool> apply,
      Variable<TInt64> stepCounter) {
    if (names.size() != variables.size() || variables.size() != gradients.size()) {
      throw new IllegalArgumentException(
          "names, variables and gradients must have equal sizes, got "
              + names.size()
              + ", "
              + variables.size()
              + ", "
              + gradients.size());
    }
    Ops scope = tf.withSubScope("optimizer");
    Operand<TFloat32> rate = scope.switchCond(learningRate, apply).outputTrue();
    Operand<TFloat32> stepCount =
        scope.dtypes.cast(scope.math.add(stepCounter, scope.constant(1L)), TFloat32.class);
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      Operand<TFloat32> gradient = scope.switchCond(gradients.get(i), apply).outputTrue();
      updates.add(update(scope, names.get(i), variables.get(i), gradient, rate, stepCount));
    }
    Operand<TInt64> one = scope.switchCond(scope.constant(1L), apply).outputTrue();
    Op increment = scope.withControlDependencies(updates).assignAdd(stepCounter, one);
    return scope.withControlDependencies(List.of(increment)).withName("train").noOp();
  }

  private Op update(
      Ops scope,
      String name,
      Variable<TFloat32> variable,
      Operand<TFloat32> gradient,
      Operand<TFloat32> rate,
      Operand<TFloat32> stepCount) {
    Operand<TFloat32> target = variable;
    List<Op> before = new ArrayList<>();
    if (kind == OptimizerKind.ADAMW && weightDecay > 0f) {
      Operand<TFloat32> decay =
          scope.math.mul(scope.math.mul(rate, scope.constant(weightDecay)), variable);
      before.add(scope.assignSub(variable, decay));
    }
    Ops ops = before.isEmpty() ? scope : scope.withControlDependencies(before);
    switch (kind) {
      case SGD:
        return ops.train.applyGradientDescent(target, rate, gradient);
      case MOMENTUM:
        Variable<TFloat32> accumulator = slots(name, variable, "momentum").get(0);
        return ops.train.applyMomentum(
            target, accumulator, rate, gradient, scope.constant(momentum));
      case ADAM:
      case ADAMW:
        List<Variable<TFloat32>> moments = slots(name, variable, "m", "v");
        Operand<TFloat32> beta1Power = scope.math.pow(scope.constant(beta1), stepCount);
        Operand<TFloat32> beta2Power = scope.math.pow(scope.constant(beta2), stepCount);
        return ops.train.applyAdam(
            target,
            moments.get(0),
            moments.get(1),
            beta1Power,
            beta2Power,
            rate,
            scope.constant(beta1),
            scope.constant(beta2),
            scope.constant(epsilon),
            gradient);
      default:
        throw new IllegalStateException("optimizer " + kind + " has no update rule");
    }
  }

  /**
   * Returns the scope {@code optimizer_slots/<path>}, creating each level once. TensorFlow Java
   * makes a sub-scope name unique each time it is requested, so without the cache the slots of
   * {@code lstm/recurrent_kernel} would land under {@code optimizer_slots/lstm_1/}.
   */
  private Ops slotScope(String path) {
    Ops cached = slotScopes.get(path);
    if (cached != null) {
      return cached;
    }
    int slash = path.lastIndexOf('/');
    Ops parent = slash < 0 ? slotScope : slotScope(path.substring(0, slash));
    Ops created = parent.withSubScope(path.substring(slash + 1));
    slotScopes.put(path, created);
    return created;
  }

  private List<Variable<TFloat32>> slots(
      String name, Variable<TFloat32> variable, String... slotNames) {
    return slots.computeIfAbsent(
        name,
        key -> {
          Ops scoped = slotScope(key);
          Ops init = tf.withInitScope();
          List<Variable<TFloat32>> created = new ArrayList<>();
          for (String slotName : slotNames) {
            created.add(
                scoped
                    .withName(slotName)
                    .variable(init.zeros(init.constant(variable.shape()), TFloat32.class)));
          }
          return created;
        });
  }
}
