package io.rnnkit.cli;

import io.rnnkit.importer.ImportException;
import io.rnnkit.importer.ImportReport;
import io.rnnkit.importer.Importer;
import io.rnnkit.importer.KeyMap;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Builds an rnnkit model folder from a checkpoint or SavedModel written by Python TensorFlow. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Build an rnnkit model folder from a TF1 checkpoint, a TF2 checkpoint or a Keras"
          + " SavedModel, and print what each source key became.",
      "Optimizer state is skipped. A weight with no rnnkit equivalent (peepholes, projections,"
          + " unsupported layers) fails the import, and nothing is written."
    })
public final class ImportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "PATH",
      description =
          "Checkpoint prefix (such as save/model.ckpt-1000, without .index) or SavedModel"
              + " directory.")
  Path source;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "MODEL_FOLDER",
      description = "Model folder to create; it must not exist.")
  Path out;

  @Option(
      names = "--map",
      paramLabel = "FILE",
      description =
          "Explicit mappings, one 'source_key<TAB>target_name' per line, where target_name is a"
              + " Keras-layout name such as embedding/embeddings or lstm/kernel.")
  Path mapFile;

  @Option(
      names = "--forget-bias",
      defaultValue = "1.0",
      description =
          "forget_bias of the TF1 LSTM cells, added to the forget-gate bias (default: ${DEFAULT-VALUE}).")
  float forgetBias;

  @Option(
      names = "--vocab",
      paramLabel = "FILE",
      description =
          "Vocabulary to store with a Network, one token per embedding row with <pad> and <unk>"
              + " first; without it, placeholder tokens <pad>, <unk>, id_2, ... are written.")
  Path vocabulary;

  @Option(
      names = "--verify",
      description =
          "Feed one random batch to the SavedModel and to the rebuilt rnnkit model, and fail if"
              + " their outputs differ by more than 1e-4.")
  boolean verify;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    KeyMap keyMap = mapFile == null ? KeyMap.empty() : KeyMap.read(mapFile);
    Importer.Options options =
        Importer.Options.of(source, this.out)
            .withKeyMap(keyMap)
            .withForgetBias(forgetBias)
            .withVerify(verify)
            .withVocabulary(vocabulary);
    try {
      Importer.Result result = Importer.run(options);
      out.print(result.table());
      out.print(result.coverage());
      result
          .verification()
          .ifPresent(
              v ->
                  out.printf(
                      "verified on a random batch %s: largest difference %.3e over %d values of"
                          + " output %s (largest output magnitude %.3g, tolerance %.0e)%n",
                      java.util.Arrays.toString(v.inputShape()),
                      v.maxDifference(),
                      v.count(),
                      v.outputName(),
                      v.maxMagnitude(),
                      Importer.VERIFY_TOLERANCE));
      out.println("model folder written to " + this.out);
      out.flush();
      return 0;
    } catch (ImportException e) {
      if (!e.rows().isEmpty()) {
        out.print(ImportReport.table(e.rows()));
        out.flush();
      }
      err.println("rnnkit import: " + e.getMessage());
      return 1;
    }
  }
}
