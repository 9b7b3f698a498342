package io.rnnkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rnnkit.config.RunConfig;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.Example;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SplitOptionsTest {

  private static final RunConfig SEED_3 =
      RunConfig.newBuilder().setTraining(TrainingConfig.newBuilder().setSeed(3)).build();

  @Test
  void seed_defaultsToTrainingSeed() {
    SplitOptions options = new SplitOptions();
    new CommandLine(options).parseArgs();
    assertEquals(3, options.seed(SEED_3));
  }

  @Test
  void seed_splitSeedOverridesTrainingSeed() {
    SplitOptions options = new SplitOptions();
    new CommandLine(options).parseArgs("--split-seed", "7");
    assertEquals(7, options.seed(SEED_3));
  }

  @Test
  void tagTrain_sampleFollowsSplitSeed() {
    TrainTaggerCommand command = new TrainTaggerCommand();
    new CommandLine(command).parseArgs("--split-seed", "7", "--seed", "2");
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      examples.add(new Example(i, List.of("w" + i), null, List.of("nn")));
    }

    List<Example> sample =
        TrainTaggerCommand.sample(examples, 0.2, command.splitOptions.seed(SEED_3));

    assertEquals(TrainTaggerCommand.sample(examples, 0.2, 7), sample, "drawn with the split seed");
    assertEquals(10, sample.size(), "a fifth of 50");
  }

  @Test
  void finetune_acceptsSplitSeed() {
    FinetuneCommand command = new FinetuneCommand();
    new CommandLine(command).parseArgs("--split-seed", "7");
    assertEquals(7, command.splitOptions.seed(SEED_3));
  }
}
