package io.rnnkit.cli;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.RunConfig;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.BrownCorpus;
import io.rnnkit.data.BrownDocument;
import io.rnnkit.data.BrownSplits;
import io.rnnkit.data.BrownSplits.DocumentSplits;
import io.rnnkit.data.Example;
import io.rnnkit.data.Tokenizer;
import io.rnnkit.data.TsvReader;
import io.rnnkit.data.Vocabulary;
import io.rnnkit.task.ClassifierTask;
import io.rnnkit.task.Evaluation;
import io.rnnkit.task.ModelFiles;
import io.rnnkit.train.TrainingRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rnnkit finetune}: trains a Brown genre classifier from a pretrained language model. */
@Command(
    name = "finetune",
    mixinStandardHelpOptions = true,
    description = {
      "Fine-tune a sentence classifier that predicts the genre of a Brown sentence, starting from"
          + " the embedding and encoder of a language model saved by 'rnnkit pretrain'.",
      "Documents are split 80/10/10 by document, so no document is in two splits. Prints test"
          + " accuracy and macro-F1 against the majority-class baseline, then exports a SavedModel"
          + " to --export/--version."
    })
final class FinetuneCommand implements Callable<Integer> {

  @Option(names = "--from", required = true, description = "Language model folder.")
  Path from;

  @Option(names = "--corpus", defaultValue = "data/brown", description = "Brown corpus folder.")
  Path corpus;

  @Option(names = "--train-tsv", description = "Training examples, label<TAB>text per line.")
  Path trainTsv;

  @Option(names = "--validation-tsv", description = "Validation examples (optional).")
  Path validationTsv;

  @Option(names = "--test-tsv", description = "Test examples; required with --train-tsv.")
  Path testTsv;

  @Option(
      names = "--export",
      defaultValue = "savedmodels/brown-genre",
      description = "SavedModel base folder; the version folder is created under it.")
  Path export;

  @Option(names = "--version", defaultValue = "1", description = "SavedModel version number.")
  long version;

  @Option(
      names = "--scratch",
      description = "Train from random initialization instead of the language model.")
  boolean scratch;

  @Mixin ConfigOptions options = new ConfigOptions();

  @Mixin RunFolderOptions runOptions = new RunFolderOptions();

  @Override
  public Integer call() throws Exception {
    Vocabulary vocabulary = ModelFiles.readVocabulary(from);
    ModelConfig pretrained = ModelFiles.readConfig(from);
    RunConfig defaults =
        RunConfig.newBuilder()
            .setModel(
                ModelConfig.newBuilder()
                    .setCell(pretrained.getCell())
                    .setEmbeddingSize(pretrained.getEmbeddingSize())
                    .setHiddenSize(pretrained.getHiddenSize())
                    .setNumLayers(pretrained.getNumLayers()))
            .build();
    RunConfig run = options.resolve(defaults);
    List<Example> train;
    List<Example> validation;
    List<Example> test;
    if (trainTsv != null) {
      if (testTsv == null) {
        throw new IllegalArgumentException("--train-tsv needs --test-tsv as well");
      }
      TsvReader reader = new TsvReader(new Tokenizer(false), false);
      train = reader.read(trainTsv);
      validation = validationTsv == null ? List.of() : reader.read(validationTsv);
      test = reader.read(testTsv);
    } else {
      List<BrownDocument> documents = BrownCorpus.readDirectory(corpus);
      DocumentSplits splits = BrownSplits.byDocument(documents, run.getTraining().getSeed());
      train = BrownSplits.genreExamples(splits.train(), false);
      validation = BrownSplits.genreExamples(splits.validation(), false);
      test = BrownSplits.genreExamples(splits.test(), false);
    }
    List<String> labels =
        new ArrayList<>(new TreeSet<>(train.stream().map(Example::label).toList()));
    System.out.printf(
        "classification: %d train, %d validation, %d test sentences, %d labels%n",
        train.size(), validation.size(), test.size(), labels.size());
    TrainingConfig training = runOptions.apply(run.getTraining());
    try (ClassifierTask classifier =
        ClassifierTask.create(run.getModel(), training, vocabulary, labels)) {
      if (!scratch) {
        List<String> loaded = classifier.transferFrom(from);
        System.out.println("loaded from the language model: " + loaded);
      }
      if (validation.isEmpty()) {
        int heldOut = Math.max(1, train.size() / 10);
        validation = train.subList(train.size() - heldOut, train.size());
        train = train.subList(0, train.size() - heldOut);
        System.out.printf(
            "no validation set: the last %d training sentences validate instead%n", heldOut);
      }
      TrainingRun.Outcome outcome =
          classifier.fit(train, validation, runOptions.options(export, training));
      for (TrainingRun.EpochResult epoch : outcome.epochs()) {
        System.out.printf(
            "epoch %d: train loss %.4f (%.0f s), validation accuracy %.4f, macro-F1 %.4f%n",
            epoch.epoch() + 1,
            epoch.trainLoss(),
            epoch.seconds(),
            epoch.validation().value(),
            epoch.validation().others().get("macro_f1"));
      }
      Evaluation result = classifier.evaluate(test);
      int majority = majorityClass(train, labels);
      System.out.printf(
          "classifier test accuracy: %.4f, macro-F1: %.4f%n", result.accuracy(), result.macroF1());
      System.out.printf(
          "majority-class baseline (always '%s', the most frequent training label): %.4f%n",
          labels.get(majority), result.constantAccuracy(majority));
      Path exported = classifier.export(export, version);
      System.out.println("exported SavedModel to " + exported);
    }
    return 0;
  }

  private static int majorityClass(List<Example> examples, List<String> labels) {
    int[] counts = new int[labels.size()];
    for (Example example : examples) {
      counts[labels.indexOf(example.label())]++;
    }
    int best = 0;
    for (int c = 1; c < counts.length; c++) {
      if (counts[c] > counts[best]) {
        best = c;
      }
    }
    return best;
  }
}
