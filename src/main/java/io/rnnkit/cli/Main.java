package io.rnnkit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code rnnkit} command line; each subcommand is one class. */
@Command(
    name = "rnnkit",
    mixinStandardHelpOptions = true,
    version = "rnnkit 0.1.0",
    description = "Train, export and reuse recurrent NLP models built on TensorFlow.",
    subcommands = {CommandLine.HelpCommand.class, InspectCheckpointCommand.class})
public final class Main {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** Builds the command line with every subcommand registered. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main());
  }
}
