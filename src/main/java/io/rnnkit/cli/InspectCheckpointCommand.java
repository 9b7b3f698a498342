package io.rnnkit.cli;

import io.rnnkit.checkpoint.CheckpointFormatException;
import io.rnnkit.checkpoint.EntryInfo;
import io.rnnkit.checkpoint.ObjectGraphKeys;
import io.rnnkit.checkpoint.TensorBundleReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Lists the tensors of a TensorFlow checkpoint or SavedModel without loading TensorFlow. */
@Command(
    name = "inspect-checkpoint",
    mixinStandardHelpOptions = true,
    description = {
      "List the keys, dtypes and shapes of a TensorFlow checkpoint or SavedModel.",
      "For object-based (TF2) checkpoints, also show each key's Keras variable name; keys of"
          + " optimizer state are marked 'optimizer'."
    })
public final class InspectCheckpointCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "PATH",
      description =
          "Checkpoint prefix (such as train/model.ckpt-1000, without .index) or SavedModel"
              + " directory.")
  Path path;

  @Option(
      names = "--verify",
      description = "Read every tensor and check its CRC-32C; exit with status 1 on a mismatch.")
  boolean verify;

  @Option(names = "--hide-optimizer", description = "Leave out optimizer slots and state.")
  boolean hideOptimizer;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (TensorBundleReader reader = TensorBundleReader.open(path)) {
      ObjectGraphKeys names = ObjectGraphKeys.read(reader);
      out.printf(
          "Checkpoint %s: %d keys in %d data file(s), %s%n",
          reader.prefix(),
          reader.keys().size(),
          reader.numShards(),
          names.hasObjectGraph() ? "object-based (TF2)" : "name-based (TF1)");

      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"KEY", "DTYPE", "SHAPE", "NAME", "NOTE"});
      int failures = 0;
      for (String key : reader.keys()) {
        boolean optimizer = names.isOptimizerKey(key);
        if (optimizer && hideOptimizer) {
          continue;
        }
        EntryInfo entry = reader.entry(key).orElseThrow();
        List<String> notes = new ArrayList<>();
        if (optimizer) {
          notes.add("optimizer");
        }
        if (entry.sliced()) {
          notes.add("sliced");
        }
        if (verify && !entry.sliced()) {
          try {
            reader.readRaw(key);
          } catch (CheckpointFormatException e) {
            failures++;
            notes.add("CORRUPT");
            err.println(e.getMessage());
          }
        }
        String name = names.hasObjectGraph() ? names.kerasName(key).orElse("-") : "-";
        rows.add(
            new String[] {
              key,
              entry.dtype().name(),
              entry.shapeString(),
              name,
              notes.isEmpty() ? "" : String.join(",", notes)
            });
      }
      printTable(out, rows, names.hasObjectGraph());
      if (verify) {
        out.printf(
            failures == 0 ? "All checksums verified.%n" : "%d tensor(s) failed verification.%n",
            failures);
      }
      return failures == 0 ? 0 : 1;
    } catch (IOException e) {
      err.println("inspect-checkpoint: " + e.getMessage());
      return 1;
    }
  }

  /**
   * Prints rows as left-aligned columns, with the name column only for object-based checkpoints.
   */
  private static void printTable(PrintWriter out, List<String[]> rows, boolean withNames) {
    int columns = rows.get(0).length;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        if (i == 3 && !withNames) {
          continue;
        }
        line.append(String.format("%-" + widths[i] + "s  ", row[i]));
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
