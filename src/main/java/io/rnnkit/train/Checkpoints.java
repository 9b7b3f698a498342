package io.rnnkit.train;

import io.rnnkit.nn.ParameterStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TFloat32;

/**
 * Writes and reads checkpoints: a folder holding TensorFlow's tensor bundle {@code variables.index}
 * + {@code variables.data-*} of every variable of the session (weights, optimizer slots and {@code
 * global_step}).
 *
 * <p>A checkpoint is written to a temporary sibling folder and renamed into place, so a run killed
 * while saving leaves the previous checkpoint intact.
 */
public final class Checkpoints {

  private static final Logger log = LoggerFactory.getLogger(Checkpoints.class);

  /** File prefix of the tensor bundle inside a checkpoint folder. */
  public static final String PREFIX = "variables";

  private Checkpoints() {}

  /**
   * Saves every variable of {@code session} into folder {@code target}, replacing an older folder
   * of the same name only once the new one is complete.
   */
  public static void save(Session session, Path target) {
    save(session, target, Map.of());
  }

  /**
   * Saves every variable of {@code session} and the files {@code extraFiles} (name to content) into
   * folder {@code target}. The folder appears only once all of them are written.
   */
  public static void save(Session session, Path target, Map<String, byte[]> extraFiles) {
    Path parent = target.toAbsolutePath().getParent();
    Path temporary = parent.resolve(target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    try {
      Files.createDirectories(parent);
      deleteRecursively(temporary);
      Files.createDirectories(temporary);
      session.save(temporary.resolve(PREFIX).toString());
      for (Map.Entry<String, byte[]> file : extraFiles.entrySet()) {
        Files.write(temporary.resolve(file.getKey()), file.getValue());
      }
      replace(temporary, target);
      log.info("Checkpoint written to {}", target);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to write checkpoint " + target, e);
    }
  }

  /** Restores every variable of {@code session} from checkpoint folder {@code source}. */
  public static void restore(Session session, Path source) {
    requireCheckpoint(source);
    session.restore(source.resolve(PREFIX).toString());
  }

  /**
   * Copies the variables {@code names} of {@code store} from checkpoint folder {@code source},
   * leaving every other variable as it is. Adds restore ops to the store's graph.
   */
  public static void restoreSome(
      Session session, ParameterStore store, Path source, List<String> names) {
    requireCheckpoint(source);
    Ops tf = store.ops().withSubScope("restore_some");
    Map<String, Variable<TFloat32>> variables = store.variables();
    String[] keys = names.toArray(String[]::new);
    String[] slices = new String[keys.length];
    java.util.Arrays.fill(slices, "");
    List<Class<? extends org.tensorflow.types.family.TType>> types = new ArrayList<>();
    for (int i = 0; i < keys.length; i++) {
      types.add(TFloat32.class);
    }
    Restore restored =
        tf.train.restore(
            tf.constant(source.resolve(PREFIX).toAbsolutePath().toString()),
            tf.constant(NdArrays.vectorOfObjects(keys)),
            tf.constant(NdArrays.vectorOfObjects(slices)),
            types);
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < keys.length; i++) {
      Variable<TFloat32> variable = variables.get(keys[i]);
      if (variable == null) {
        throw new IllegalArgumentException("no variable named " + keys[i] + " in this model");
      }
      @SuppressWarnings("unchecked")
      Operand<TFloat32> value = (Operand<TFloat32>) restored.tensors().get(i);
      assigns.add(tf.assign(variable, value));
    }
    Op all = tf.withControlDependencies(assigns).noOp();
    session.runner().addTarget(all).run();
  }

  /** Throws with a clear message unless {@code folder} contains a checkpoint. */
  public static void requireCheckpoint(Path folder) {
    Path index = folder.resolve(PREFIX + ".index");
    if (!Files.isRegularFile(index)) {
      throw new IllegalArgumentException(
          "no checkpoint in " + folder + ": " + index.getFileName() + " is missing");
    }
  }

  /** Moves {@code source} to {@code target}, replacing {@code target} if it exists. */
  static void replace(Path source, Path target) throws IOException {
    Path old = null;
    if (Files.exists(target)) {
      old = target.resolveSibling(target.getFileName() + ".old-" + ProcessHandle.current().pid());
      deleteRecursively(old);
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
    if (old != null) {
      deleteRecursively(old);
    }
  }

  /** Deletes {@code path} and everything under it, if it exists. */
  public static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
