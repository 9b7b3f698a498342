package io.rnnkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.data.Example;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tag-train on a small corpus in the Brown format written by the test. */
class TrainTaggerCommandTest {

  private static final List<String> NAMES = List.of("Ann", "Bob", "Carl", "Dora", "Eve");
  private static final List<String> VERBS = List.of("runs", "sings", "waits", "reads");

  @TempDir Path folder;

  @Test
  void fullTags_printsBaseTagAccuracyToo() throws Exception {
    Path corpus = corpus();
    String printed = run("--corpus", corpus.toString(), "--out", out("full"), "--full-tags");
    assertTrue(printed.contains("tagger test token accuracy: "), printed);
    assertTrue(printed.contains("tagger test token accuracy on base tags: "), printed);
    List<String> tags = Files.readAllLines(folder.resolve("full/tags.txt"));
    assertTrue(tags.contains("np-tl"), "full tags keep the -tl suffix: " + tags);
    List<String> vocabulary = Files.readAllLines(folder.resolve("full/vocab.txt"));
    assertTrue(vocabulary.contains("<unk:cap>"), "rare names train a class: " + vocabulary);
  }

  @Test
  void noUnknownWordClasses_plainVocabulary() throws Exception {
    Path corpus = corpus();
    String printed =
        run("--corpus", corpus.toString(), "--out", out("plain"), "--no-unknown-word-classes");
    assertFalse(printed.contains("on base tags"), "base tags are the only tags: " + printed);
    List<String> tags = Files.readAllLines(folder.resolve("plain/tags.txt"));
    assertFalse(tags.contains("np-tl"), "base tags drop -tl: " + tags);
    List<String> vocabulary = Files.readAllLines(folder.resolve("plain/vocab.txt"));
    assertEquals(
        0,
        vocabulary.stream().filter(token -> token.startsWith("<unk:")).count(),
        "no classes: " + vocabulary);
  }

  @Test
  void from_checksLanguageModelAndItsShape() throws Exception {
    Path corpus = corpus();
    Path lm = folder.resolve("lm");
    pretrain(text(), lm.toString());
    CommandResult bidirectional =
        CommandResult.run(
            "tag-train",
            "--corpus",
            corpus.toString(),
            "--out",
            out("bi"),
            "--from",
            lm.toString(),
            "--bidirectional",
            "--epochs",
            "1");
    assertEquals(2, bidirectional.code(), "exit code: " + bidirectional.errors());
    assertTrue(
        bidirectional.errors().contains("bidirectional false in the language model, true here"),
        bidirectional.errors());

    String fromLm =
        CommandResult.runOrFail(
            "tag-train",
            "--corpus",
            corpus.toString(),
            "--out",
            out("fromlm"),
            "--from",
            lm.toString(),
            "--epochs",
            "1",
            "--batch-size",
            "8",
            "--max-length",
            "8");
    assertTrue(fromLm.contains("loaded from the language model"), fromLm);
    List<String> config = Files.readAllLines(folder.resolve("fromlm/model_config.pbtxt"));
    assertTrue(config.contains("hidden_size: 6"), "the LM's hidden size is the default: " + config);

    CommandResult fromTagger =
        CommandResult.run(
            "tag-train",
            "--corpus",
            corpus.toString(),
            "--out",
            out("again"),
            "--from",
            out("fromlm"),
            "--epochs",
            "1");
    assertEquals(2, fromTagger.code(), "exit code: " + fromTagger.errors());
    assertTrue(fromTagger.errors().contains("not a language model"), fromTagger.errors());
  }

  @Test
  void fromBackward_bidirectionalTaggerFromTwoModels() throws Exception {
    Path corpus = corpus();
    Path text = text();
    pretrain(text, out("forward"));
    pretrain(text, out("backward"), "--reverse");
    String printed =
        CommandResult.runOrFail(
            "tag-train",
            "--corpus",
            corpus.toString(),
            "--out",
            out("bi"),
            "--from",
            out("forward"),
            "--from-backward",
            out("backward"),
            "--epochs",
            "1",
            "--batch-size",
            "8",
            "--max-length",
            "8");
    for (String variable :
        List.of(
            "embedding/embeddings",
            "bidirectional/forward_lstm/kernel",
            "bidirectional/backward_lstm/kernel")) {
      String row =
          printed.lines().filter(line -> line.startsWith(variable + " ")).findFirst().orElse("");
      assertTrue(row.contains("LOADED"), variable + " loaded: " + printed);
    }
    String head =
        printed
            .lines()
            .filter(line -> line.startsWith("tagger_head/kernel"))
            .findFirst()
            .orElse("");
    assertTrue(head.contains("NEW"), "the head is new: " + printed);
    List<String> config = Files.readAllLines(folder.resolve("bi/model_config.pbtxt"));
    assertTrue(config.contains("bidirectional: true"), "a bidirectional tagger: " + config);
  }

  @Test
  void fromBackward_swappedModelsRejected() throws Exception {
    Path text = text();
    pretrain(text, out("plain"));
    pretrain(text, out("reversed"), "--reverse");

    CommandResult swapped =
        CommandResult.run(
            "tag-train",
            "--corpus",
            corpus().toString(),
            "--out",
            out("swapped"),
            "--from",
            out("reversed"),
            "--from-backward",
            out("plain"),
            "--epochs",
            "1");

    assertEquals(2, swapped.code(), "exit code: " + swapped.errors());
    assertTrue(
        swapped.errors().contains("was trained on reversed text (pretrain --reverse)"),
        swapped.errors());
    assertTrue(
        Files.readAllLines(folder.resolve("reversed/model_config.pbtxt"))
            .contains("reversed: true"),
        "pretrain --reverse marks the model");
  }

  @Test
  void tinyCorpus_namesDocumentCount() throws Exception {
    Path corpus = Files.createDirectories(folder.resolve("tiny"));
    Files.writeString(corpus.resolve("ca01"), "\n\tAnn/np runs/vbz ./.\n");
    CommandResult result =
        CommandResult.run("tag-train", "--corpus", corpus.toString(), "--out", out("tiny-out"));
    assertEquals(2, result.code(), "exit code: " + result.errors());
    assertTrue(result.errors().contains("has 1 documents"), result.errors());
  }

  @Test
  void sample_seededSubsetInInputOrder() {
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      examples.add(new Example(i, List.of("w" + i), null, List.of("nn")));
    }
    List<Example> sample = TrainTaggerCommand.sample(examples, 0.1, 7);
    assertEquals(5, sample.size(), "10% of 50");
    assertEquals(sample, TrainTaggerCommand.sample(examples, 0.1, 7), "same seed, same sample");
    for (int i = 1; i < sample.size(); i++) {
      assertTrue(sample.get(i - 1).id() < sample.get(i).id(), "input order kept: " + sample);
    }
    assertEquals(examples, TrainTaggerCommand.sample(examples, 1.0, 7), "fraction 1 keeps all");
  }

  @Test
  void trainFraction_zeroRejected() {
    CommandResult result =
        CommandResult.run("tag-train", "--corpus", "missing", "--train-fraction", "0");
    assertEquals(2, result.code(), "exit code of a rejected argument");
    assertTrue(
        result.errors().contains("--train-fraction must be in (0, 1], got 0.0"), result.errors());
  }

  /**
   * Writes 20 documents of 6 sentences. About a third of the sentences name a person seen nowhere
   * else, so those names fall below --min-count and train an unknown-word class.
   */
  private Path corpus() throws Exception {
    Path corpus = Files.createDirectories(folder.resolve("brown"));
    Random random = new Random(5);
    for (int d = 0; d < 20; d++) {
      StringBuilder text = new StringBuilder();
      for (int s = 0; s < 6; s++) {
        String name =
            random.nextInt(3) == 0
                ? "Zed" + (char) ('a' + d) + (char) ('a' + s)
                : NAMES.get(random.nextInt(NAMES.size()));
        String nameTag = random.nextBoolean() ? "np" : "np-tl";
        text.append("\n\t")
            .append(name)
            .append('/')
            .append(nameTag)
            .append(' ')
            .append(VERBS.get(random.nextInt(VERBS.size())))
            .append("/vbz ./.\n");
      }
      Files.writeString(corpus.resolve(String.format("c%c%02d", 'a' + d % 3, d)), text);
    }
    return corpus;
  }

  private String out(String name) {
    return folder.resolve(name).toString();
  }

  private static String run(String... args) {
    List<String> full = new ArrayList<>();
    full.add("tag-train");
    full.addAll(List.of(args));
    full.addAll(
        List.of(
            "--epochs",
            "1",
            "--embedding-size",
            "4",
            "--hidden-size",
            "4",
            "--batch-size",
            "8",
            "--max-length",
            "8",
            "--seed",
            "3"));
    return CommandResult.runOrFail(full.toArray(String[]::new));
  }

  /** Writes 30 lines of the corpus's names and verbs, the text of the tiny language models. */
  private Path text() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      lines.add(NAMES.get(i % NAMES.size()) + " " + VERBS.get(i % VERBS.size()) + " .");
    }
    return Files.write(folder.resolve("text.txt"), lines);
  }

  /** Pretrains a tiny language model on {@code text} into {@code out}. */
  private static void pretrain(Path text, String out, String... extraArgs) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "pretrain",
                "--text",
                text.toString(),
                "--out",
                out,
                "--min-count",
                "1",
                "--epochs",
                "1",
                "--embedding-size",
                "4",
                "--hidden-size",
                "6",
                "--bptt-steps",
                "2",
                "--batch-size",
                "1"));
    args.addAll(List.of(extraArgs));
    CommandResult.runOrFail(args.toArray(String[]::new));
  }
}
