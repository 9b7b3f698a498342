package io.rnnkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * Exit code, standard output and error output of one command-line run inside the test JVM.
 *
 * @param code the exit code
 * @param output what the command printed to {@code System.out}
 * @param errors what picocli printed to its error writer
 */
record CommandResult(int code, String output, String errors) {

  /** Runs {@code rnnkit ARGS} with {@code System.out} captured. */
  static CommandResult run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream previous = System.out;
    StringWriter err = new StringWriter();
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      CommandLine commandLine = Main.commandLine();
      commandLine.setErr(new PrintWriter(err));
      code = commandLine.execute(args);
    } finally {
      System.setOut(previous);
    }
    return new CommandResult(code, out.toString(StandardCharsets.UTF_8), err.toString());
  }

  /** Runs {@code rnnkit ARGS}, asserts exit code 0 and returns the standard output. */
  static String runOrFail(String... args) {
    CommandResult result = run(args);
    assertEquals(0, result.code(), args[0] + " failed: " + result.errors() + result.output());
    return result.output();
  }
}
