package io.rnnkit.cli;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.RunConfig;
import io.rnnkit.config.TaskKind;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.BrownCorpus;
import io.rnnkit.data.BrownSplits;
import io.rnnkit.data.BrownSplits.DocumentSplits;
import io.rnnkit.data.Example;
import io.rnnkit.data.Vocabulary;
import io.rnnkit.task.TaggerTask;
import io.rnnkit.train.ModelFiles;
import io.rnnkit.train.TrainingRun;
import io.rnnkit.transfer.FineTuning;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rnnkit tag-train}: trains a part-of-speech tagger on the Brown corpus. */
@Command(
    name = "tag-train",
    mixinStandardHelpOptions = true,
    description = {
      "Train a part-of-speech tagger on the Brown corpus, documents split 80/10/10 by document.",
      "The tag list comes from the training split. Prints validation token accuracy after each"
          + " epoch and test token accuracy of the best epoch, and saves the model folder"
          + " (checkpoint, vocab.txt, tags.txt, model_config.pbtxt) under --out."
    })
final class TrainTaggerCommand implements Callable<Integer> {

  @Option(names = "--corpus", defaultValue = "data/brown", description = "Brown corpus folder.")
  Path corpus;

  @Option(names = "--out", defaultValue = "runs/brown-tagger", description = "Output folder.")
  Path out;

  @Option(
      names = "--from",
      description = "Language model folder whose vocabulary, embedding and encoder to start from.")
  Path from;

  @Option(
      names = "--from-backward",
      description =
          "With --from: a language model trained on reversed text ('rnnkit pretrain --reverse')"
              + " for the backward half of a bidirectional tagger; --from gives the forward half"
              + " and the embedding.")
  Path fromBackward;

  @Option(
      names = "--scratch",
      description =
          "With --from: take only the language model's vocabulary and start every weight from"
              + " random initialization, for comparison with the fine-tuned tagger.")
  boolean scratch;

  @Option(
      names = "--train-fraction",
      defaultValue = "1",
      description =
          "Fraction of the training sentences to train on, drawn at random with --split-seed (0"
              + " to 1; default: all).")
  double trainFraction;

  @Option(
      names = "--full-tags",
      description = "Keep the -tl, -hl, -nc suffixes and fw- prefix; default: base tags.")
  boolean fullTags;

  @Option(names = "--bidirectional", description = "Read each sentence in both directions.")
  boolean bidirectional;

  @Option(
      names = "--min-count",
      defaultValue = "2",
      description = "Words seen fewer times in training become <unk> (ignored with --from).")
  int minCount;

  @Option(
      names = "--unknown-word-classes",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Give words missing from the vocabulary a class from their shape and suffix, such as"
              + " <unk:cap:ity>, learned from the words below --min-count (default: on; ignored"
              + " with --from).")
  boolean unknownWordClasses;

  @Option(
      names = "--min-class-count",
      defaultValue = "2",
      description =
          "Keep an unknown-word class only if left-out training words give it this many tokens.")
  int minClassCount;

  @Mixin ConfigOptions options = new ConfigOptions();

  @Mixin RunFolderOptions runOptions = new RunFolderOptions();

  @Mixin SplitOptions splitOptions = new SplitOptions();

  @Override
  public Integer call() throws Exception {
    if (minClassCount < 1) {
      throw new IllegalArgumentException(
          "--min-class-count must be at least 1, got " + minClassCount);
    }
    if (!(trainFraction > 0 && trainFraction <= 1)) {
      throw new IllegalArgumentException(
          "--train-fraction must be in (0, 1], got " + trainFraction);
    }
    if (fromBackward != null && from == null) {
      throw new IllegalArgumentException(
          "--from-backward needs --from, the forward language model");
    }
    if (scratch && from == null) {
      throw new IllegalArgumentException(
          "--scratch needs --from, the language model whose vocabulary to use");
    }
    runOptions.requireNewOutput(out);
    RunConfig run = options.resolve(defaults());
    ModelConfig model =
        run.getModel().toBuilder().setBidirectional(bidirectional || fromBackward != null).build();
    TrainingConfig training = runOptions.apply(run.getTraining());
    options.check(model, training, TaskKind.TAGGER);
    long splitSeed = splitOptions.seed(run);
    DocumentSplits splits = BrownSplits.byDocument(BrownCorpus.readDirectory(corpus), splitSeed);
    List<Example> train = sample(tagged(splits.train()), trainFraction, splitSeed);
    List<Example> validation = tagged(splits.validation());
    List<Example> test = tagged(splits.test());
    if (validation.isEmpty() || test.isEmpty()) {
      throw new IllegalArgumentException(
          "the corpus in "
              + corpus
              + " has "
              + (splits.train().size() + splits.validation().size() + splits.test().size())
              + " documents, too few for the 80/10/10 split by document to give validation and"
              + " test sentences; add documents (10 or more)");
    }
    Vocabulary vocabulary = from != null ? ModelFiles.readVocabulary(from) : vocabulary(train);
    List<String> tags =
        new ArrayList<>(new TreeSet<>(train.stream().flatMap(e -> e.tags().stream()).toList()));
    System.out.printf(
        "tagging: %d train, %d validation, %d test sentences, %d tags, vocabulary %d%n",
        train.size(), validation.size(), test.size(), tags.size(), vocabulary.size());
    try (TaggerTask tagger = TaggerTask.create(model, training, vocabulary, tags)) {
      if (fromBackward != null && !scratch) {
        FineTuning fineTuning = FineTuning.bidirectional(from, fromBackward);
        System.out.print(fineTuning.load(tagger.session(), false, false).table());
      } else if (from != null && !scratch) {
        System.out.println("loaded from the language model: " + tagger.transferFrom(from));
      }
      TrainingRun.Outcome outcome =
          tagger.fit(train, validation, runOptions.options(out, training));
      for (TrainingRun.EpochResult epoch : outcome.epochs()) {
        System.out.printf(
            "epoch %d: train loss %.4f (%.0f tokens/s, %.0f s), validation token accuracy %.4f%n",
            epoch.epoch() + 1,
            epoch.trainLoss(),
            epoch.tokensPerSecond(),
            epoch.seconds(),
            epoch.validation().value());
      }
      System.out.printf("tagger test token accuracy: %.4f%n", tagger.evaluate(test).accuracy());
      if (fullTags) {
        System.out.printf(
            "tagger test token accuracy on base tags: %.4f%n", baseTagAccuracy(tagger, test));
      }
      tagger.save(out);
      System.out.println("saved tagger to " + out);
    }
    return 0;
  }

  /**
   * Returns the defaults that flags and --config override: with --from, the language model's cell,
   * sizes and layer count, so that its weights fit the tagger without repeating them.
   */
  private RunConfig defaults() {
    if (from == null) {
      return RunConfig.getDefaultInstance();
    }
    ModelConfig pretrained = ModelFiles.readConfig(from);
    ModelConfig encoder =
        ModelConfig.newBuilder()
            .setCell(pretrained.getCell())
            .setEmbeddingSize(pretrained.getEmbeddingSize())
            .setHiddenSize(pretrained.getHiddenSize())
            .setNumLayers(pretrained.getNumLayers())
            .setGruResetAfter(pretrained.getGruResetAfter())
            .build();
    return RunConfig.newBuilder().setModel(encoder).build();
  }

  /** Returns the accuracy of full-tag predictions once gold and predicted tags become base tags. */
  private static double baseTagAccuracy(TaggerTask tagger, List<Example> test) {
    List<List<String>> predicted = tagger.predict(test);
    long correct = 0;
    long total = 0;
    for (int i = 0; i < test.size(); i++) {
      List<String> gold = test.get(i).tags();
      for (int t = 0; t < gold.size(); t++) {
        String guess = predicted.get(i).get(t);
        if (guess != null && TaggerTask.baseTag(guess).equals(TaggerTask.baseTag(gold.get(t)))) {
          correct++;
        }
        total++;
      }
    }
    return (double) correct / total;
  }

  /** Returns a seeded random {@code fraction} of {@code examples}, at least one, in input order. */
  static List<Example> sample(List<Example> examples, double fraction, long seed) {
    if (fraction >= 1) {
      return examples;
    }
    int count = Math.max(1, (int) Math.round(fraction * examples.size()));
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(seed));
    List<Integer> chosen = new ArrayList<>(order.subList(0, count));
    Collections.sort(chosen);
    List<Example> sample = new ArrayList<>(count);
    for (int index : chosen) {
      sample.add(examples.get(index));
    }
    return sample;
  }

  private Vocabulary vocabulary(List<Example> train) {
    List<List<String>> sentences = train.stream().map(Example::tokens).toList();
    return unknownWordClasses
        ? Vocabulary.buildWithUnknownWordClasses(sentences, minCount, 0, List.of(), minClassCount)
        : Vocabulary.build(sentences, minCount, 0, List.of());
  }

  private List<Example> tagged(List<io.rnnkit.data.BrownDocument> documents) {
    List<Example> examples = new ArrayList<>();
    for (Example example : BrownSplits.genreExamples(documents, false)) {
      List<String> tags =
          fullTags ? example.tags() : example.tags().stream().map(TaggerTask::baseTag).toList();
      examples.add(new Example(example.id(), example.tokens(), null, tags));
    }
    return examples;
  }
}
