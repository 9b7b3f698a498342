package io.rnnkit.cli;

import io.rnnkit.config.RunConfig;
import io.rnnkit.config.TaskKind;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.BrownCorpus;
import io.rnnkit.data.BrownDocument;
import io.rnnkit.data.BrownSplits;
import io.rnnkit.data.BrownSplits.LanguageModelSplits;
import io.rnnkit.data.BrownSplits.TokenStream;
import io.rnnkit.data.Vocabulary;
import io.rnnkit.task.LanguageModelTask;
import io.rnnkit.train.LanguageModelTrainer.PassStats;
import io.rnnkit.train.RunOptions;
import io.rnnkit.train.TrainingRun;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rnnkit pretrain}: trains a word-level language model on the Brown corpus. */
@Command(
    name = "pretrain",
    mixinStandardHelpOptions = true,
    description = {
      "Train a word-level language model with truncated BPTT on the Brown corpus (--corpus) or"
          + " on your own plain text (--text, one document per line).",
      "The first --train-tokens tokens train, the next --validation-tokens validate, the rest"
          + " test. Prints validation perplexity after each epoch and test perplexity at the end"
          + " (of the best epoch), and saves the model under --out. Checkpoints go to the run"
          + " folder (--run); --resume continues a killed run exactly."
    })
final class PretrainCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(PretrainCommand.class);

  @Option(names = "--corpus", defaultValue = "data/brown", description = "Brown corpus folder.")
  Path corpus;

  @Option(
      names = "--text",
      description =
          "Plain UTF-8 text, one document per line, instead of Brown: the first 80%% of its"
              + " tokens train, the next 10%% validate, the rest test.")
  Path text;

  @Option(names = "--out", defaultValue = "runs/brown-lm", description = "Output model folder.")
  Path out;

  @Option(
      names = "--train-tokens",
      defaultValue = "800000",
      description = "Tokens in the training slice.")
  int trainTokens;

  @Option(
      names = "--validation-tokens",
      defaultValue = "200000",
      description = "Tokens in the validation slice.")
  int validationTokens;

  @Option(
      names = "--min-count",
      defaultValue = "4",
      description = "Words seen fewer times in training become <unk>.")
  int minCount;

  @Option(
      names = "--unknown-word-classes",
      description =
          "Give words below --min-count a class from their shape and suffix, such as"
              + " <unk:cap:ity>, instead of <unk>; a tagger fine-tuned from the model keeps them.")
  boolean unknownWordClasses;

  @Option(
      names = "--min-class-count",
      defaultValue = "2",
      description = "With --unknown-word-classes: tokens a class needs to be kept.")
  int minClassCount;

  @Option(
      names = "--reverse",
      description =
          "Train on reversed text (last token first), for the backward half of a bidirectional"
              + " encoder ('rnnkit finetune --from-backward').")
  boolean reverse;

  @Mixin ConfigOptions options = new ConfigOptions();

  @Mixin RunFolderOptions runOptions = new RunFolderOptions();

  @Override
  public Integer call() throws Exception {
    if (minClassCount < 1) {
      throw new IllegalArgumentException(
          "--min-class-count must be at least 1, got " + minClassCount);
    }
    runOptions.requireNewOutput(out);
    RunConfig run = options.resolve(RunConfig.getDefaultInstance());
    if (reverse) {
      run = run.toBuilder().setModel(run.getModel().toBuilder().setReversed(true)).build();
    }
    TrainingConfig training = runOptions.apply(run.getTraining());
    options.check(run.getModel(), training, TaskKind.LANGUAGE_MODEL);
    LanguageModelSplits splits = text == null ? brownSplits() : TextSplits.of(text);
    if (reverse) {
      splits =
          new LanguageModelSplits(
              splits.train().reversed(), splits.validation().reversed(), splits.test().reversed());
    }
    List<List<String>> trainSentences = List.of(splits.train().tokens());
    Vocabulary vocabulary =
        unknownWordClasses
            ? Vocabulary.buildWithUnknownWordClasses(
                trainSentences, minCount, 0, List.of(), minClassCount)
            : Vocabulary.build(trainSentences, minCount, 0, List.of());
    log.info(
        "Corpus: {} train, {} validation, {} test tokens; vocabulary {} types",
        splits.train().size(),
        splits.validation().size(),
        splits.test().size(),
        vocabulary.size());
    RunOptions options = runOptions.options(out, training);
    try (LanguageModelTask lm = LanguageModelTask.create(run.getModel(), training, vocabulary)) {
      TrainingRun.Outcome outcome =
          lm.fit(
              ids(splits.train(), vocabulary),
              starts(splits.train()),
              ids(splits.validation(), vocabulary),
              starts(splits.validation()),
              options);
      for (TrainingRun.EpochResult epoch : outcome.epochs()) {
        System.out.printf(
            "epoch %d: train loss %.4f (%.0f tokens/s, %.0f s), validation perplexity %.2f%n",
            epoch.epoch() + 1,
            epoch.trainLoss(),
            epoch.tokensPerSecond(),
            epoch.seconds(),
            epoch.validation().value());
      }
      if (outcome.stoppedEarly()) {
        System.out.println("stopped early: validation perplexity stopped improving");
      }
      PassStats validation = evaluate(lm, splits.validation(), vocabulary);
      PassStats test = evaluate(lm, splits.test(), vocabulary);
      System.out.printf(
          "best checkpoint: %s%n", outcome.bestCheckpoint().map(Path::toString).orElse("none"));
      System.out.printf("language model validation perplexity: %.2f%n", validation.perplexity());
      System.out.printf("language model test perplexity: %.2f%n", test.perplexity());
      if (lm.skippedSteps() > 0) {
        System.out.printf("skipped updates (non-finite loss or gradient): %d%n", lm.skippedSteps());
      }
      lm.save(out);
      System.out.println(
          "saved language model to " + out + " (run folder " + options.folder() + ")");
    }
    return 0;
  }

  private LanguageModelSplits brownSplits() throws java.io.IOException {
    List<BrownDocument> documents = BrownCorpus.readDirectory(corpus);
    return BrownSplits.languageModel(documents, trainTokens, validationTokens, false, false);
  }

  private static PassStats evaluate(LanguageModelTask lm, TokenStream stream, Vocabulary vocab) {
    return lm.evaluate(ids(stream, vocab), starts(stream));
  }

  private static int[] ids(TokenStream stream, Vocabulary vocabulary) {
    return stream.ids(vocabulary);
  }

  private static int[] starts(TokenStream stream) {
    return stream.documentStarts();
  }
}
