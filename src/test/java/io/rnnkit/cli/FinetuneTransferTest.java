package io.rnnkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pretrain then finetune with ULMFiT schedules through the command line, on tiny text files. */
class FinetuneTransferTest {

  @TempDir static Path folder;
  static Path lm;
  static Path trainTsv;
  static Path testTsv;

  @BeforeAll
  static void pretrain() throws Exception {
    Random random = new Random(9);
    List<String> documents = new ArrayList<>();
    List<String> train = new ArrayList<>();
    List<String> test = new ArrayList<>();
    for (int i = 0; i < 160; i++) {
      boolean sport = i % 2 == 0;
      String sentence = sentence(random, sport);
      documents.add(sentence);
      (i < 120 ? train : test).add((sport ? "sport" : "cooking") + "\t" + sentence);
    }
    // Words the pretrained vocabulary lacks, seen in training only: "referee" twice, "saw" once.
    train.add("sport\tthe referee saw the referee");
    Path text = Files.write(folder.resolve("corpus.txt"), documents);
    trainTsv = Files.write(folder.resolve("train.tsv"), train);
    testTsv = Files.write(folder.resolve("test.tsv"), test);
    lm = folder.resolve("lm");
    CommandResult result = CommandResult.run(pretrainArgs(text, lm));
    assertEquals(0, result.code(), "pretrain succeeds: " + result.output());
  }

  @Test
  void gradualUnfreezingDiscriminativeSlanted_endToEnd() {
    CommandResult result =
        CommandResult.run(
            finetuneArgs(
                "--from",
                lm.toString(),
                "--unfreezing",
                "GRADUAL",
                "--discriminative-factor",
                "--slanted-triangular",
                "--pooling",
                "MEAN",
                "--head-hidden-size",
                "6",
                "--epochs",
                "4",
                "--export",
                folder.resolve("models/gradual").toString()));
    assertEquals(0, result.code(), "finetune succeeds: " + result.output());
    String output = result.output();
    assertTrue(
        output.lines().anyMatch(l -> l.startsWith("lstm/kernel") && l.contains("LOADED")),
        "table lists the loaded encoder:\n" + output);
    assertTrue(
        output.lines().anyMatch(l -> l.startsWith("classifier_head/kernel") && l.contains("NEW")),
        "table lists the new head:\n" + output);
    assertTrue(
        output
            .lines()
            .anyMatch(l -> l.startsWith("classifier_head/hidden/kernel") && l.contains("NEW")),
        "table lists the head's hidden layer:\n" + output);
    assertTrue(
        output.lines().anyMatch(l -> l.startsWith("lm_head/kernel") && l.contains("LEFT_OUT")),
        "table lists the left-out language-model head:\n" + output);
    assertTrue(
        output.contains("lacks 3 of ") && output.contains("referee=2"),
        "unknown words are counted:\n" + output);
    assertTrue(accuracy(output) >= 0.8, "test accuracy on separable topics:\n" + output);
  }

  @Test
  void lmLossWeight_exportDropsLmHead() throws Exception {
    Path export = folder.resolve("models/auxiliary");
    CommandResult result =
        CommandResult.run(
            finetuneArgs(
                "--from",
                lm.toString(),
                "--lm-loss-weight",
                "0.5",
                "--epochs",
                "3",
                "--export",
                export.toString()));

    assertEquals(0, result.code(), "finetune succeeds: " + result.output());
    assertTrue(
        result
            .output()
            .lines()
            .anyMatch(l -> l.startsWith("lm_head/kernel") && l.contains("LOADED")),
        "the language model's output layer is loaded:\n" + result.output());
    assertTrue(accuracy(result.output()) >= 0.8, "test accuracy:\n" + result.output());
    String servedConfig =
        Files.readString(export.resolve("1/assets/model_config.pbtxt"), StandardCharsets.UTF_8);
    assertTrue(servedConfig.contains("task: CLASSIFIER"), servedConfig);
    assertFalse(servedConfig.contains("lm_loss_weight"), "the export drops it:\n" + servedConfig);
  }

  @Test
  void lmLossWeight_withExtendVocabularyFails() {
    CommandResult result =
        CommandResult.run(
            finetuneArgs(
                "--from",
                lm.toString(),
                "--lm-loss-weight",
                "0.5",
                "--extend-vocabulary",
                "--export",
                folder.resolve("models/auxiliary-extended").toString()));

    assertEquals(2, result.code(), "exit code of a usage error");
    assertTrue(
        result
            .errors()
            .contains(
                "--extend-vocabulary cannot be combined with an auxiliary language-model loss"
                    + " (lm_loss_weight 0.5)"),
        result.errors());
  }

  @Test
  void extendVocabulary_addsRows() {
    CommandResult result =
        CommandResult.run(
            finetuneArgs(
                "--from",
                lm.toString(),
                "--extend-vocabulary",
                "--epochs",
                "1",
                "--export",
                folder.resolve("models/extended").toString()));
    assertEquals(0, result.code(), "finetune succeeds: " + result.output());
    assertTrue(
        result.output().contains("extended vocabulary: 1 new words"), "one new word:\n" + result);
    assertTrue(
        result
            .output()
            .lines()
            .anyMatch(l -> l.startsWith("embedding/embeddings") && l.contains("EXTENDED")),
        "the embedding is extended:\n" + result.output());
  }

  @Test
  void shapeMismatch_failsUnlessAllowed() {
    String[] wider =
        finetuneArgs(
            "--from",
            lm.toString(),
            "--hidden-size",
            "12",
            "--epochs",
            "1",
            "--export",
            folder.resolve("models/wider").toString());
    CommandResult failed = CommandResult.run(wider);
    assertNotEquals(0, failed.code(), "a shape mismatch fails");
    assertTrue(
        failed.errors().contains("variable lstm/kernel has shape [8, 48]"),
        "the message names the variable: " + failed.errors());
    List<String> allowed = new ArrayList<>(List.of(wider));
    allowed.add("--allow-partial");
    CommandResult partial = CommandResult.run(allowed.toArray(String[]::new));
    assertEquals(0, partial.code(), "--allow-partial accepts it: " + partial.output());
  }

  @Test
  void gradualUnfreezing_tooFewEpochsFails() {
    CommandResult result =
        CommandResult.run(
            finetuneArgs(
                "--from",
                lm.toString(),
                "--unfreezing",
                "GRADUAL",
                "--epochs",
                "2",
                "--export",
                folder.resolve("models/short").toString()));
    assertNotEquals(0, result.code(), "2 epochs cannot unfreeze 3 layer groups");
    assertTrue(
        result.errors().contains("epochs must be at least 3 for GRADUAL unfreezing"),
        "the message names the minimum: " + result.errors());
    assertTrue(
        result.errors().contains("got 2"), "the message names the value: " + result.errors());
  }

  @Test
  void taskTag_pointsToTagTrain() {
    CommandResult result =
        CommandResult.run(finetuneArgs("--from", lm.toString(), "--task", "tag"));
    assertNotEquals(0, result.code(), "tagging fails");
    assertTrue(result.errors().contains("rnnkit tag-train --from"), result.errors());
  }

  private static double accuracy(String output) {
    Matcher matcher = Pattern.compile("classifier test accuracy: ([0-9.]+)").matcher(output);
    assertTrue(matcher.find(), "accuracy line printed:\n" + output);
    return Double.parseDouble(matcher.group(1));
  }

  private static String[] pretrainArgs(Path text, Path out) {
    return new String[] {
      "pretrain",
      "--text",
      text.toString(),
      "--out",
      out.toString(),
      "--min-count",
      "1",
      "--embedding-size",
      "8",
      "--hidden-size",
      "16",
      "--batch-size",
      "4",
      "--bptt-steps",
      "6",
      "--epochs",
      "2"
    };
  }

  private static String[] finetuneArgs(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "finetune",
                "--train-tsv",
                trainTsv.toString(),
                "--test-tsv",
                testTsv.toString(),
                "--batch-size",
                "8",
                "--learning-rate",
                "0.02",
                "--max-length",
                "12"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  private static String sentence(Random random, boolean sport) {
    String[] topic =
        sport
            ? new String[] {"ball", "goal", "team", "match", "score"}
            : new String[] {"salt", "oven", "bread", "pan", "soup"};
    String[] shared = {"the", "a", "was", "good", "and"};
    StringBuilder text = new StringBuilder();
    int length = 3 + random.nextInt(6);
    for (int t = 0; t < length; t++) {
      String[] source = random.nextInt(3) == 0 ? shared : topic;
      text.append(t == 0 ? "" : " ").append(source[random.nextInt(source.length)]);
    }
    return text.toString();
  }
}
