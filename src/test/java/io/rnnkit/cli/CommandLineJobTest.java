package io.rnnkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pretrain, finetune and predict through the command line on text files made in the test. */
class CommandLineJobTest {

  @TempDir Path folder;

  @Test
  void pretrainFinetunePredict_ownText() throws Exception {
    Random random = new Random(4);
    List<String> documents = new ArrayList<>();
    List<String> train = new ArrayList<>();
    List<String> test = new ArrayList<>();
    for (int i = 0; i < 160; i++) {
      boolean sport = i % 2 == 0;
      String sentence = sentence(random, sport);
      documents.add(sentence);
      (i < 120 ? train : test).add((sport ? "sport" : "cooking") + "\t" + sentence);
    }
    Path text = Files.write(folder.resolve("corpus.txt"), documents);
    Path trainTsv = Files.write(folder.resolve("train.tsv"), train);
    Path testTsv = Files.write(folder.resolve("test.tsv"), test);
    Path lm = folder.resolve("lm");
    Path export = folder.resolve("models/topic");

    run(
        "pretrain",
        "--text",
        text.toString(),
        "--out",
        lm.toString(),
        "--min-count",
        "1",
        "--embedding-size",
        "8",
        "--hidden-size",
        "12",
        "--batch-size",
        "4",
        "--bptt-steps",
        "6");
    String finetune =
        run(
            "finetune",
            "--from",
            lm.toString(),
            "--train-tsv",
            trainTsv.toString(),
            "--test-tsv",
            testTsv.toString(),
            "--export",
            export.toString(),
            "--epochs",
            "4",
            "--batch-size",
            "8",
            "--learning-rate",
            "0.02",
            "--max-length",
            "12");
    assertTrue(finetune.contains("classifier test accuracy"), finetune);

    Path sentences =
        Files.writeString(folder.resolve("in.txt"), "the goal was good\n\nsalt and bread\n");
    String predictions =
        run("predict", "--model", export.resolve("1").toString(), "--input", sentences.toString());
    String[] lines = predictions.strip().split("\n");
    assertEquals(2, lines.length, "one JSON line per non-empty input line: " + predictions);
    assertTrue(lines[0].contains("\"label\":\"sport\""), lines[0]);
    assertTrue(lines[1].contains("\"label\":\"cooking\""), lines[1]);
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

  private static String run(String... args) {
    return CommandResult.runOrFail(args);
  }
}
