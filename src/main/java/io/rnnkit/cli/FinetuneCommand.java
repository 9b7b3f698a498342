package io.rnnkit.cli;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.Pooling;
import io.rnnkit.config.RunConfig;
import io.rnnkit.config.TaskKind;
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
import io.rnnkit.train.TrainingConfigs;
import io.rnnkit.train.TrainingRun;
import io.rnnkit.transfer.FineTuning;
import io.rnnkit.transfer.SlantedTriangular;
import io.rnnkit.transfer.Unfreezing;
import io.rnnkit.transfer.VocabularyTransfer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code rnnkit finetune}: trains a classifier from a pretrained language model. */
@Command(
    name = "finetune",
    description = {
      "Fine-tune a sentence classifier from the embedding and encoder of a pretrained language"
          + " model, on Brown genres or on your own label<TAB>text files.",
      "Every variable found in the pretrained model with the same name and shape is loaded; the"
          + " head is new. A table lists what was loaded, what is new and what was left out."
          + " Brown documents are split 80/10/10 by document. Prints test accuracy and macro-F1"
          + " against the majority-class baseline, then exports a SavedModel to"
          + " --export/--version."
    })
final class FinetuneCommand implements Callable<Integer> {

  // The standard help mixin is not used because its --version flag would clash with the
  // SavedModel --version option of this command.
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  /** Kind of model to fine-tune: a sentence classifier or a token tagger. */
  enum TaskChoice {
    CLASSIFY,
    TAG;

    /** Reads {@code classify} or {@code tag} in any letter case. */
    static final class Converter implements ITypeConverter<TaskChoice> {
      @Override
      public TaskChoice convert(String value) {
        for (TaskChoice choice : values()) {
          if (choice.name().equalsIgnoreCase(value)) {
            return choice;
          }
        }
        throw new TypeConversionException("--task must be classify or tag, got '" + value + "'");
      }
    }
  }

  @Option(
      names = "--task",
      defaultValue = "classify",
      converter = TaskChoice.Converter.class,
      description = "What to train: classify (one label per sentence) or tag (one per token).")
  TaskChoice task;

  @Option(
      names = "--from",
      description =
          "Pretrained language model: a folder written by 'rnnkit pretrain', its checkpoint"
              + " folder, a SavedModel folder or a checkpoint prefix.")
  Path from;

  @Option(
      names = "--from-forward",
      description =
          "Language model for the forward half of a bidirectional encoder; needs --from-backward.")
  Path fromForward;

  @Option(
      names = "--from-backward",
      description =
          "Language model trained on reversed text ('rnnkit pretrain --reverse') for the backward"
              + " half of a bidirectional encoder.")
  Path fromBackward;

  @Option(
      names = "--allow-partial",
      description =
          "Keep variables whose name or shape has no match in the pretrained model newly"
              + " initialized instead of failing.")
  boolean allowPartial;

  @Option(
      names = "--extend-vocabulary",
      description =
          "Add the training words the pretrained vocabulary lacks (seen at least"
              + " --extend-min-count times) as new embedding rows; otherwise they map to <unk>.")
  boolean extendVocabulary;

  @Option(
      names = "--extend-min-count",
      defaultValue = "2",
      description = "Occurrences a new word needs to get an embedding row.")
  int extendMinCount;

  @Option(
      names = "--pooling",
      description = "Classifier pooling over time: LAST, MEAN, MAX or CONCAT_POOLING (all three).")
  Pooling pooling;

  @Option(
      names = "--head-hidden-size",
      description =
          "Classifier: units of a ReLU layer between the pooled encoder outputs and the class"
              + " logits; default: none.")
  Integer headHiddenSize;

  @Option(
      names = "--lm-loss-weight",
      description =
          "Weight of an auxiliary language-model loss on the training sentences, added to the"
              + " class loss; the language model's output layer predicts each next word from the"
              + " forward direction. Default: 0, none.")
  Float lmLossWeight;

  @Option(
      names = "--unfreezing",
      defaultValue = "NONE",
      description =
          "NONE trains every layer from the start, HEAD_ONLY keeps the embedding and encoder"
              + " frozen, GRADUAL unfreezes one more layer per epoch from the top, so it needs"
              + " --epochs of at least --layers + 2 (embedding, recurrent layers, head).")
  Unfreezing unfreezing;

  @Option(
      names = "--discriminative-factor",
      arity = "0..1",
      defaultValue = "1",
      fallbackValue = "2.6",
      description =
          "Each lower layer trains at the rate of the layer above divided by this factor"
              + " (2.6 when given without a value; 1 means one rate for all).")
  float discriminativeFactor;

  @Option(
      names = "--slanted-triangular",
      description =
          "Slanted triangular learning rate: linear warm-up to --learning-rate over"
              + " --cut-fraction of all updates, then linear decay to 1/--ratio of it.")
  boolean slantedTriangular;

  @Option(
      names = "--cut-fraction",
      defaultValue = "0.1",
      description = "Fraction of updates that warm up.")
  double cutFraction;

  @Option(
      names = "--ratio",
      defaultValue = "32",
      description = "Peak learning rate divided by the lowest.")
  double ratio;

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
      description =
          "Train from random initialization, with the pretrained vocabulary but no pretrained"
              + " weights.")
  boolean scratch;

  @Mixin ConfigOptions options = new ConfigOptions();

  @Mixin RunFolderOptions runOptions = new RunFolderOptions();

  @Mixin SplitOptions splitOptions = new SplitOptions();

  @Override
  public Integer call() throws Exception {
    if (task == TaskChoice.TAG) {
      throw new IllegalArgumentException(
          "--task tag is not supported by finetune; train a tagger from a language model with"
              + " 'rnnkit tag-train --from LM_FOLDER'");
    }
    requireNewExport();
    FineTuning fineTuning = pretrained();
    RunConfig run =
        options.resolve(RunConfig.newBuilder().setModel(encoderDefaults(fineTuning)).build());
    if (pooling == Pooling.POOLING_UNSPECIFIED || pooling == Pooling.UNRECOGNIZED) {
      throw new IllegalArgumentException(
          "--pooling must be LAST, MEAN, MAX or CONCAT_POOLING, got " + pooling);
    }
    if (pooling != null) {
      run = run.toBuilder().setModel(run.getModel().toBuilder().setPooling(pooling)).build();
    }
    if (headHiddenSize != null) {
      if (headHiddenSize < 1) {
        throw new IllegalArgumentException(
            "--head-hidden-size must be positive, got "
                + headHiddenSize
                + ". Omit it for no hidden layer.");
      }
      run =
          run.toBuilder()
              .setModel(run.getModel().toBuilder().setHeadHiddenSize(headHiddenSize))
              .build();
    }
    if (lmLossWeight != null) {
      if (!(lmLossWeight >= 0f) || Float.isInfinite(lmLossWeight)) {
        throw new IllegalArgumentException(
            "--lm-loss-weight must be 0 or positive and finite, got " + lmLossWeight);
      }
      run =
          run.toBuilder()
              .setModel(run.getModel().toBuilder().setLmLossWeight(lmLossWeight))
              .build();
    }
    if (run.getModel().getLmLossWeight() > 0f && extendVocabulary) {
      throw new IllegalArgumentException(
          "--extend-vocabulary cannot be combined with an auxiliary language-model loss"
              + " (lm_loss_weight "
              + run.getModel().getLmLossWeight()
              + "), because the pretrained output layer predicts only the pretrained words; drop"
              + " one of them");
    }
    TrainingConfig training = TrainingConfigs.withDefaults(runOptions.apply(run.getTraining()));
    options.check(run.getModel(), training, TaskKind.CLASSIFIER);
    Splits read = readData(run);
    List<String> labels =
        new ArrayList<>(new TreeSet<>(read.train().stream().map(Example::label).toList()));
    requireKnownLabels(labels, read.validation(), validationTsv, "validation");
    requireKnownLabels(labels, read.test(), testTsv, "test");
    Vocabulary vocabulary = fineTuning.vocabulary(read.train(), extendVocabulary, extendMinCount);
    printCoverage(fineTuning.pretrainedVocabulary(), read.train(), vocabulary);
    Splits data = withValidation(read);
    System.out.printf(
        "classification: %d train, %d validation, %d test sentences, %d labels%n",
        data.train().size(), data.validation().size(), data.test().size(), labels.size());
    try (ClassifierTask classifier =
        ClassifierTask.createWithLayerGroups(run.getModel(), training, vocabulary, labels)) {
      if (!scratch) {
        System.out.print(
            fineTuning.load(classifier.modelSession(), allowPartial, extendVocabulary).table());
      }
      int epochs = training.getEpochs();
      unfreezing.requireEveryGroupTrains(classifier.layerGroups().size(), epochs);
      long totalUpdates = (long) epochs * classifier.updatesPerEpoch(data.train());
      classifier.setGroupSchedule(
          FineTuning.schedule(
              classifier.layerGroups().size(),
              training.getLearningRate(),
              discriminativeFactor,
              unfreezing,
              slantedTriangular
                  ? new SlantedTriangular(Math.max(1, totalUpdates), cutFraction, ratio)
                  : null));
      TrainingRun.Outcome outcome =
          classifier.fit(
              data.train(), data.validation(), runOptions.options(defaultRunOutput(), training));
      for (TrainingRun.EpochResult epoch : outcome.epochs()) {
        System.out.printf(
            "epoch %d: train loss %.4f (%.0f s), validation accuracy %.4f, macro-F1 %.4f%n",
            epoch.epoch() + 1,
            epoch.trainLoss(),
            epoch.seconds(),
            epoch.validation().value(),
            epoch.validation().others().get("macro_f1"));
      }
      report(classifier, data, labels);
    }
    return 0;
  }

  private FineTuning pretrained() {
    if (from != null && (fromForward != null || fromBackward != null)) {
      throw new IllegalArgumentException(
          "--from cannot be combined with --from-forward/--from-backward; pass one or the other");
    }
    if (from != null) {
      return FineTuning.single(from);
    }
    if (fromForward == null || fromBackward == null) {
      throw new IllegalArgumentException(
          "missing pretrained model: pass --from LM, or both --from-forward LM and"
              + " --from-backward REVERSED_LM");
    }
    return FineTuning.bidirectional(fromForward, fromBackward);
  }

  private static void printCoverage(
      Vocabulary pretrained, List<Example> train, Vocabulary vocabulary) {
    VocabularyTransfer.Coverage coverage = VocabularyTransfer.coverage(pretrained, train, 5);
    System.out.printf(
        "pretrained vocabulary (%d words) lacks %d of %d training tokens (%.2f %%), %d distinct"
            + " words, most frequent: %s%n",
        pretrained.size(),
        coverage.unknown(),
        coverage.tokens(),
        100 * coverage.unknownRate(),
        coverage.unknownTypes(),
        coverage.topUnknown());
    if (vocabulary.size() > pretrained.size()) {
      System.out.printf(
          "extended vocabulary: %d new words, %d in all%n",
          vocabulary.size() - pretrained.size(), vocabulary.size());
    } else {
      System.out.println("words the pretrained vocabulary lacks map to <unk>");
    }
  }

  private ModelConfig encoderDefaults(FineTuning fineTuning) {
    ModelConfig pretrained = fineTuning.encoderConfig();
    return ModelConfig.newBuilder()
        .setCell(pretrained.getCell())
        .setEmbeddingSize(pretrained.getEmbeddingSize())
        .setHiddenSize(pretrained.getHiddenSize())
        .setNumLayers(pretrained.getNumLayers())
        .setBidirectional(fineTuning.bidirectional())
        .build();
  }

  private Splits readData(RunConfig run) throws java.io.IOException {
    if (trainTsv != null) {
      if (testTsv == null) {
        throw new IllegalArgumentException("--train-tsv needs --test-tsv as well");
      }
      TsvReader reader = new TsvReader(new Tokenizer(false), false);
      return new Splits(
          reader.read(trainTsv),
          validationTsv == null ? List.of() : reader.read(validationTsv),
          reader.read(testTsv));
    }
    List<BrownDocument> documents = BrownCorpus.readDirectory(corpus);
    DocumentSplits splits = BrownSplits.byDocument(documents, splitOptions.seed(run));
    return new Splits(
        BrownSplits.genreExamples(splits.train(), false),
        BrownSplits.genreExamples(splits.validation(), false),
        BrownSplits.genreExamples(splits.test(), false));
  }

  /** Fails before any training when the export version cannot be written. */
  private void requireNewExport() {
    if (version <= 0) {
      throw new IllegalArgumentException("--version must be positive, got " + version);
    }
    Path target = export.resolve(Long.toString(version));
    if (java.nio.file.Files.exists(target)) {
      throw new IllegalArgumentException(
          "export folder " + target + " already exists; choose another --version");
    }
  }

  /**
   * Returns the output whose run folder is used unless --run is given: beside the export base
   * folder, {@code NAME-vVERSION-run}, so each exported version has its own run.
   */
  private Path defaultRunOutput() {
    return export.resolveSibling(export.getFileName() + "-v" + version);
  }

  /** Fails before any training when an evaluation example has a label training never saw. */
  private static void requireKnownLabels(
      List<String> labels, List<Example> examples, Path file, String split) {
    for (Example example : examples) {
      if (!labels.contains(example.label())) {
        String where =
            file == null
                ? "the " + split + " split"
                : file + " (example " + (example.id() + 1) + " among its valid lines)";
        throw new IllegalArgumentException(
            "label '"
                + example.label()
                + "' in "
                + where
                + " does not occur in the training data, whose labels are "
                + labels
                + "; add training examples of it or remove it");
      }
    }
  }

  /** Holds out the last tenth of the training examples when there is no validation set. */
  private static Splits withValidation(Splits data) {
    if (!data.validation().isEmpty()) {
      return data;
    }
    List<Example> train = data.train();
    int heldOut = Math.max(1, train.size() / 10);
    System.out.printf(
        "no validation set: the last %d training sentences validate instead%n", heldOut);
    return new Splits(
        train.subList(0, train.size() - heldOut),
        train.subList(train.size() - heldOut, train.size()),
        data.test());
  }

  private void report(ClassifierTask classifier, Splits data, List<String> labels) {
    Evaluation result = classifier.evaluate(data.test());
    int majority = majorityClass(data.train(), labels);
    System.out.printf(
        "classifier test accuracy: %.4f, macro-F1: %.4f%n", result.accuracy(), result.macroF1());
    System.out.printf(
        "majority-class baseline (always '%s', the most frequent training label): %.4f%n",
        labels.get(majority), result.constantAccuracy(majority));
    Path exported = classifier.export(export, version);
    System.out.println("exported SavedModel to " + exported);
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

  private record Splits(List<Example> train, List<Example> validation, List<Example> test) {}
}
