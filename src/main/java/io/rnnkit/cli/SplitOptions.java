package io.rnnkit.cli;

import io.rnnkit.config.RunConfig;
import picocli.CommandLine.Option;

/** Option of the Brown commands that fixes the document split apart from the training seed. */
final class SplitOptions {

  @Option(
      names = "--split-seed",
      description =
          "Seed of the Brown document split (and of tag-train's --train-fraction sample);"
              + " default: --seed. Fix it to compare runs of several seeds on the same test"
              + " documents.")
  Long splitSeed;

  /** Returns the seed of the split: {@code --split-seed}, or the training seed of {@code run}. */
  long seed(RunConfig run) {
    return splitSeed != null ? splitSeed : run.getTraining().getSeed();
  }
}
