package io.rnnkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainCommandTest {

  @TempDir Path folder;

  @Test
  void unknownWordClasses_inSavedVocabulary() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      // Each line names a person seen only there, so the names fall below --min-count.
      lines.add("the cat saw Zed" + (char) ('a' + i % 26) + (char) ('a' + i / 26) + " running .");
    }
    Path text = Files.write(folder.resolve("text.txt"), lines);
    Path lm = folder.resolve("lm");
    CommandResult.runOrFail(
        "pretrain",
        "--text",
        text.toString(),
        "--out",
        lm.toString(),
        "--min-count",
        "2",
        "--unknown-word-classes",
        "--epochs",
        "1",
        "--embedding-size",
        "4",
        "--hidden-size",
        "4",
        "--batch-size",
        "2",
        "--bptt-steps",
        "4");
    List<String> vocabulary = Files.readAllLines(lm.resolve("vocab.txt"));
    assertTrue(vocabulary.contains("<unk:cap>"), "class of the rare names: " + vocabulary);
    assertEquals("<unk>", vocabulary.get(1), "<unk> keeps id 1");
  }

  @Test
  void minClassCount_zeroRejected() {
    CommandResult result =
        CommandResult.run("pretrain", "--text", "missing.txt", "--min-class-count", "0");
    assertEquals(2, result.code(), "exit code of a rejected argument");
    assertTrue(
        result.errors().contains("--min-class-count must be at least 1, got 0"), result.errors());
  }
}
