package io.rnnkit.cli;

import io.rnnkit.export.SavedModelExporter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rnnkit export}: turns a saved model folder into a SavedModel version. */
@Command(
    name = "export",
    description = {
      "Export a model folder (checkpoint/, vocab.txt, model_config.pbtxt, such as one written by"
          + " 'rnnkit pretrain') as a SavedModel under --export/--version, for any task. A"
          + " classifier folder also needs labels.txt and a tagger folder tags.txt, one name per"
          + " line in id order.",
      "An existing version folder is never overwritten."
    })
final class ExportCommand implements Callable<Integer> {

  // The standard help mixin is not used because its --version flag would clash with the
  // SavedModel --version option of this command.
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Spec CommandSpec spec;

  @Option(names = "--model-folder", required = true, description = "Model folder to export.")
  Path modelFolder;

  @Option(
      names = "--export",
      required = true,
      description = "Base folder of the SavedModel versions, such as savedmodels/my-lm.")
  Path export;

  @Option(names = "--version", required = true, description = "Version number, at least 1.")
  long version;

  @Override
  public Integer call() {
    Path written = SavedModelExporter.exportModelFolder(modelFolder, export, version);
    spec.commandLine().getOut().println("SavedModel written to " + written);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
