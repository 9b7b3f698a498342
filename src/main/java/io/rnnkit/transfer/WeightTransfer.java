package io.rnnkit.transfer;

import io.rnnkit.checkpoint.EntryInfo;
import io.rnnkit.checkpoint.TensorBundleReader;
import io.rnnkit.nn.ParameterStore;
import io.rnnkit.transfer.TransferReport.Row;
import io.rnnkit.transfer.TransferReport.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.train.Restore;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Initializes the variables of a new model from pretrained tensor bundles, matching by name (after
 * a {@link NameMapping}) and shape. Works on any {@link ParameterStore}, so it serves every task.
 *
 * <pre>{@code
 * TransferReport report =
 *     WeightTransfer.load(
 *         session, store, List.of(WeightTransfer.Source.of(lm.prefix())),
 *         new WeightTransfer.Options(List.of("classifier_head/"), false, false));
 * System.out.print(report.table());
 * }</pre>
 */
public final class WeightTransfer {

  private static final List<String> OPTIMIZER_STATE =
      List.of("optimizer_slots/", "optimizer_group_steps/", "global_step");

  private WeightTransfer() {}

  /**
   * One pretrained bundle and how the new model's names map onto its keys.
   *
   * @param prefix bundle prefix (path of {@code .index} without the extension)
   * @param mapping new variable name to bundle key
   */
  public record Source(Path prefix, NameMapping mapping) {

    /** Returns a source whose keys are the new model's names. */
    public static Source of(Path prefix) {
      return new Source(prefix, NameMapping.identity());
    }
  }

  /**
   * @param newPrefixes variables under these prefixes (the new head) keep their initial values
   * @param allowPartial keep variables whose name or shape does not match at their initial values
   *     instead of failing
   * @param extendVocabulary accept an embedding with more rows than the pretrained one: the
   *     pretrained rows are copied and the added rows keep their initial values
   */
  public record Options(List<String> newPrefixes, boolean allowPartial, boolean extendVocabulary) {
    public Options {
      newPrefixes = List.copyOf(newPrefixes);
    }
  }

  /** Plans the transfer with {@link #plan} and copies the planned values into the variables. */
  public static TransferReport load(
      Session session, ParameterStore store, List<Source> sources, Options options) {
    Plan plan = plan(store, sources, options);
    apply(session, store, sources, plan);
    return plan.report();
  }

  /**
   * Matches every variable of {@code store} with the first source that maps it to a key of equal
   * shape.
   *
   * @throws IllegalArgumentException naming every variable that has no pretrained key or whose
   *     shape differs, unless {@code options.allowPartial()}
   */
  public static Plan plan(ParameterStore store, List<Source> sources, Options options) {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("sources must not be empty");
    }
    List<Map<String, EntryInfo>> entries = new ArrayList<>();
    for (Source source : sources) {
      entries.add(readEntries(source.prefix()));
    }
    List<Set<String>> used = new ArrayList<>();
    sources.forEach(s -> used.add(new HashSet<>()));
    List<Row> rows = new ArrayList<>();
    List<Copy> copies = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (String name : store.variables().keySet()) {
      long[] shape = store.shape(name).asArray();
      String shapeText = Arrays.toString(shape);
      if (options.newPrefixes().stream().anyMatch(name::startsWith)) {
        rows.add(new Row(name, shapeText, Status.NEW, "", "new head"));
        continue;
      }
      Match match = find(name, sources, entries);
      String problem;
      if (match == null) {
        problem = "variable " + name + " has no pretrained tensor";
      } else {
        used.get(match.source()).add(match.entry().key());
        String source = match.entry().key() + " @ " + sources.get(match.source()).prefix();
        long[] pretrained = match.entry().shape();
        if (match.entry().dtype() != DataType.DT_FLOAT) {
          problem =
              "variable " + name + " is float32 but " + source + " is " + match.entry().dtype();
        } else if (Arrays.equals(shape, pretrained)) {
          rows.add(new Row(name, shapeText, Status.LOADED, source, ""));
          copies.add(new Copy(name, match.source(), match.entry().key(), 0));
          continue;
        } else if (options.extendVocabulary() && extendsRows(shape, pretrained)) {
          rows.add(
              new Row(
                  name,
                  shapeText,
                  Status.EXTENDED,
                  source,
                  "rows " + pretrained[0] + ".." + (shape[0] - 1) + " are new"));
          copies.add(new Copy(name, match.source(), match.entry().key(), pretrained[0]));
          continue;
        } else {
          problem =
              "variable "
                  + name
                  + " has shape "
                  + shapeText
                  + " but "
                  + source
                  + " has shape "
                  + Arrays.toString(pretrained);
        }
      }
      if (!options.allowPartial()) {
        problems.add(problem);
      }
      rows.add(new Row(name, shapeText, Status.NEW, "", problem));
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          String.join("; ", problems)
              + ". Build the model with the pretrained encoder's sizes and layer names, or allow"
              + " partial loading (--allow-partial) to keep these variables newly initialized");
    }
    int optimizerState = 0;
    for (int s = 0; s < sources.size(); s++) {
      for (EntryInfo entry : entries.get(s).values()) {
        if (used.get(s).contains(entry.key())) {
          continue;
        }
        if (OPTIMIZER_STATE.stream().anyMatch(entry.key()::startsWith)) {
          optimizerState++;
          continue;
        }
        boolean head = options.newPrefixes().stream().anyMatch(entry.key()::startsWith);
        rows.add(
            new Row(
                entry.key(),
                entry.shapeString(),
                Status.LEFT_OUT,
                entry.key() + " @ " + sources.get(s).prefix(),
                head
                    ? "the pretrained head is not reused; the new head starts fresh"
                    : "no variable of the new model takes it"));
      }
    }
    return new Plan(new TransferReport(rows, optimizerState), copies);
  }

  private static boolean extendsRows(long[] shape, long[] pretrained) {
    return shape.length == 2
        && pretrained.length == 2
        && shape[1] == pretrained[1]
        && shape[0] > pretrained[0];
  }

  private static Match find(
      String name, List<Source> sources, List<Map<String, EntryInfo>> entries) {
    for (int s = 0; s < sources.size(); s++) {
      Optional<String> key = sources.get(s).mapping().sourceKey(name);
      if (key.isPresent() && entries.get(s).containsKey(key.get())) {
        return new Match(s, entries.get(s).get(key.get()));
      }
    }
    return null;
  }

  private static Map<String, EntryInfo> readEntries(Path prefix) {
    try (TensorBundleReader reader = TensorBundleReader.open(prefix)) {
      Map<String, EntryInfo> entries = new LinkedHashMap<>();
      for (String key : reader.keys()) {
        reader.entry(key).ifPresent(entry -> entries.put(key, entry));
      }
      return entries;
    } catch (IOException e) {
      throw new UncheckedIOException("failed to read the checkpoint index of " + prefix, e);
    }
  }

  /**
   * Runs the copies of {@code plan}: one restore op per source, then an assign per variable. An
   * extended embedding gets the concatenation of the pretrained rows and its own added rows, so the
   * pretrained rows are bit-identical and the added rows keep their initializer's values.
   */
  public static void apply(Session session, ParameterStore store, List<Source> sources, Plan plan) {
    Ops tf = store.ops().withSubScope("weight_transfer");
    List<Op> assigns = new ArrayList<>();
    for (int s = 0; s < sources.size(); s++) {
      List<Copy> copies = new ArrayList<>();
      for (Copy copy : plan.copies()) {
        if (copy.source() == s) {
          copies.add(copy);
        }
      }
      if (copies.isEmpty()) {
        continue;
      }
      String[] keys = copies.stream().map(Copy::key).toArray(String[]::new);
      String[] slices = new String[keys.length];
      Arrays.fill(slices, "");
      List<Class<? extends TType>> types = new ArrayList<>();
      copies.forEach(c -> types.add(TFloat32.class));
      Restore restored =
          tf.train.restore(
              tf.constant(sources.get(s).prefix().toAbsolutePath().toString()),
              tf.constant(NdArrays.vectorOfObjects(keys)),
              tf.constant(NdArrays.vectorOfObjects(slices)),
              types);
      for (int i = 0; i < copies.size(); i++) {
        Copy copy = copies.get(i);
        Variable<TFloat32> variable = store.variables().get(copy.variable());
        @SuppressWarnings("unchecked")
        Operand<TFloat32> value = (Operand<TFloat32>) restored.tensors().get(i);
        if (copy.pretrainedRows() > 0) {
          value = appendNewRows(tf, variable, store.shape(copy.variable()), value, copy);
        }
        assigns.add(tf.assign(variable, value));
      }
    }
    if (!assigns.isEmpty()) {
      session.runner().addTarget(tf.withControlDependencies(assigns).noOp()).run();
    }
  }

  private static Operand<TFloat32> appendNewRows(
      Ops tf, Variable<TFloat32> variable, Shape shape, Operand<TFloat32> pretrained, Copy copy) {
    long rows = shape.size(0);
    long columns = shape.size(1);
    Operand<TFloat32> added =
        tf.slice(
            variable,
            tf.constant(new long[] {copy.pretrainedRows(), 0}),
            tf.constant(new long[] {rows - copy.pretrainedRows(), columns}));
    return tf.concat(List.of(pretrained, added), tf.constant(0));
  }

  /** The report and the copies it implies. */
  public record Plan(TransferReport report, List<Copy> copies) {}

  /**
   * One variable filled from a bundle key.
   *
   * @param pretrainedRows for an extended embedding, the number of pretrained rows; 0 otherwise
   */
  public record Copy(String variable, int source, String key, long pretrainedRows) {}

  private record Match(int source, EntryInfo entry) {}
}
