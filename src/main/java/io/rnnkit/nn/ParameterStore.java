package io.rnnkit.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Creates and tracks the named variables of one model graph.
 *
 * <p>Every layer requests its variables from the store by full name ({@code "lstm/kernel"}). Asking
 * twice for the same name returns the same variable, which is how the graphs unrolled for different
 * bucket lengths share one set of weights. The trainer, the checkpoint writer, the exporter and the
 * importer all find variables through this store.
 *
 * <p>A store made with {@link #forTraining} gives each new variable a seeded initializer. A store
 * made with {@link #forRestore} creates variables without initializers, for graphs whose values
 * always come from a checkpoint (inference and export graphs), so that no initial value is stored
 * in an exported graph.
 */
public final class ParameterStore {

  private final Ops tf;
  private final boolean initialize;
  private final long seed;
  private final Map<String, Variable<TFloat32>> variables = new LinkedHashMap<>();
  private final Map<String, Shape> shapes = new LinkedHashMap<>();
  private final Map<String, Ops> scopes = new java.util.HashMap<>();
  private int initializerCount;

  private ParameterStore(Ops tf, boolean initialize, long seed) {
    this.tf = tf;
    this.initialize = initialize;
    this.seed = seed;
  }

  /** Returns a store whose new variables are initialized from {@code seed}. */
  public static ParameterStore forTraining(Ops tf, long seed) {
    return new ParameterStore(tf, true, seed);
  }

  /** Returns a store whose variables have no initializer and must be restored. */
  public static ParameterStore forRestore(Ops tf) {
    return new ParameterStore(tf, false, 0L);
  }

  /**
   * Returns the variable called {@code name}, creating it on first use.
   *
   * @param name full name with {@code /} between scopes, for example {@code "lstm/kernel"}
   * @param shape static shape of the variable
   * @param initializer initial value, used only by stores made with {@link #forTraining}
   * @throws IllegalArgumentException if the variable exists with another shape
   */
  public Variable<TFloat32> variable(String name, Shape shape, Initializer initializer) {
    Variable<TFloat32> existing = variables.get(name);
    if (existing != null) {
      if (!shapes.get(name).equals(shape)) {
        throw new IllegalArgumentException(
            "variable "
                + name
                + " already exists with shape "
                + shapes.get(name)
                + ", requested shape "
                + shape);
      }
      return existing;
    }
    Ops scoped = scopeOf(name);
    Variable<TFloat32> created;
    if (initialize) {
      Ops init = tf.withInitScope();
      long opSeed = seed * 1_000_003L + (initializerCount++);
      Operand<TFloat32> value = initializer.create(init, shape, opSeed);
      created = scoped.variable(value);
    } else {
      created = scoped.variable(shape, TFloat32.class);
    }
    if (!created.op().name().equals(name)) {
      throw new IllegalStateException(
          "variable "
              + name
              + " was created as "
              + created.op().name()
              + " because the name was already taken in the graph; create variables before"
              + " other ops that use the same scope names");
    }
    variables.put(name, created);
    shapes.put(name, shape);
    return created;
  }

  private Ops scopeOf(String name) {
    int slash = name.lastIndexOf('/');
    Ops scoped = slash < 0 ? tf : scope(name.substring(0, slash));
    return scoped.withName(name.substring(slash + 1));
  }

  /**
   * Returns the name scope {@code path}, creating it once. TensorFlow Java makes a sub-scope name
   * unique each time it is requested, so asking twice for {@code "lstm"} would give {@code
   * "lstm_1"}; caching keeps every variable of a layer under one scope.
   */
  private Ops scope(String path) {
    Ops cached = scopes.get(path);
    if (cached != null) {
      return cached;
    }
    int slash = path.lastIndexOf('/');
    Ops parent = slash < 0 ? tf : scope(path.substring(0, slash));
    Ops created = parent.withSubScope(path.substring(slash + 1));
    scopes.put(path, created);
    return created;
  }

  /** Returns the variables in creation order, keyed by full name. */
  public Map<String, Variable<TFloat32>> variables() {
    return Collections.unmodifiableMap(variables);
  }

  /** Returns the static shape of variable {@code name}. */
  public Shape shape(String name) {
    Shape shape = shapes.get(name);
    if (shape == null) {
      throw new IllegalArgumentException("no variable named " + name + " in this graph");
    }
    return shape;
  }

  /** Returns the variables whose full name starts with one of {@code prefixes}. */
  public List<Variable<TFloat32>> variablesUnder(List<String> prefixes) {
    List<Variable<TFloat32>> selected = new ArrayList<>();
    for (Map.Entry<String, Variable<TFloat32>> entry : variables.entrySet()) {
      for (String prefix : prefixes) {
        if (entry.getKey().startsWith(prefix)) {
          selected.add(entry.getValue());
          break;
        }
      }
    }
    return selected;
  }

  /** Returns the graph builder this store creates variables with. */
  public Ops ops() {
    return tf;
  }
}
