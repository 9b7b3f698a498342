package io.rnnkit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code rnnkit} command line; each subcommand is one class. */
@Command(
    name = "rnnkit",
    mixinStandardHelpOptions = true,
    version = "rnnkit 0.1.0",
    description = "Train, export and reuse recurrent NLP models built on TensorFlow.",
    subcommands = {
      CommandLine.HelpCommand.class,
      PretrainCommand.class,
      FinetuneCommand.class,
      TrainTaggerCommand.class,
      PredictCommand.class,
      InspectCommand.class,
      ExportCommand.class,
      InspectCheckpointCommand.class,
      ImportCommand.class
    })
public final class Main {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** Builds the command line with every subcommand registered. */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setExecutionExceptionHandler(
        (exception, line, parseResult) -> {
          if (exception instanceof IllegalArgumentException
              || exception instanceof IllegalStateException
              || exception instanceof java.io.UncheckedIOException
              || exception instanceof java.io.IOException) {
            line.getErr().println("rnnkit: " + describe(exception));
            return 2;
          }
          throw exception;
        });
    // Picocli prints the whole help after an invalid value, which buries the one line that
    // matters, so only the error and a pointer to --help are printed.
    commandLine.setParameterExceptionHandler(
        (exception, args) -> {
          CommandLine line = exception.getCommandLine();
          line.getErr().println("rnnkit: " + exception.getMessage());
          if (!CommandLine.UnmatchedArgumentException.printSuggestions(exception, line.getErr())) {
            line.getErr()
                .println(
                    "Run '" + line.getCommandSpec().qualifiedName() + " --help' for the options.");
          }
          return line.getCommandSpec().exitCodeOnInvalidInput();
        });
    return commandLine;
  }

  /** Returns the message of a user-facing error, naming the file for file-system errors. */
  static String describe(Exception exception) {
    Throwable cause =
        exception instanceof java.io.UncheckedIOException ? exception.getCause() : exception;
    if (cause instanceof java.nio.file.NoSuchFileException missing) {
      return "file not found: " + missing.getFile();
    }
    if (cause instanceof java.nio.file.AccessDeniedException denied) {
      return "permission denied: " + denied.getFile();
    }
    if (cause instanceof java.nio.file.FileSystemException other && other.getFile() != null) {
      return other.getFile() + ": " + other.getReason();
    }
    return exception.getMessage();
  }
}
