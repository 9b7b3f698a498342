package io.rnnkit.cli;

/** Entry point of the {@code rnnkit} command line. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.out.println(io.rnnkit.config.ModelConfig.getDefaultInstance());
  }
}
