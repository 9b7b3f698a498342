package io.rnnkit.transfer;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.OptimizerKind;
import io.rnnkit.config.Pooling;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.BrownCorpus;
import io.rnnkit.data.BrownSplits;
import io.rnnkit.data.BrownSplits.TokenStream;
import io.rnnkit.data.Example;
import io.rnnkit.data.SpamAssassinReader;
import io.rnnkit.data.Tokenizer;
import io.rnnkit.data.Vocabulary;
import io.rnnkit.task.ClassifierTask;
import io.rnnkit.task.Evaluation;
import io.rnnkit.task.LanguageModelTask;
import io.rnnkit.train.Checkpoints;
import io.rnnkit.train.GroupSchedule;
import io.rnnkit.train.ModelFiles;
import io.rnnkit.train.ModelSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.IntFunction;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Spam filtering on SpamAssassin with and without a pretrained language model, for several
 * training-set sizes and seeds. Prints one line per run and a summary table in Markdown.
 *
 * <p>Arguments: {@code BROWN_DIR SPAM_DIR OUT_DIR SIZES SEEDS BROWN_TOKENS LM_EPOCHS RANDOM_RECIPE
 * FINE_TUNED_RECIPE [MAX_TOKENS [LM_MAX_TOKENS [MODEL [ENCODER [LM_OPTIMIZER]]]]]}, for example
 * {@code data/brown data/spam-assassin runs/bench 50,200,1000,all 1,2,3 200000 4 0.003:1:NONE
 * 0.01:1:NONE 100}. {@code MAX_TOKENS} cuts each mail body for the classifier and, unless {@code
 * LM_MAX_TOKENS} is given, for the language-model text. {@code MODEL} gives the sizes of both arms
 * and of the language model ({@link ModelSize#parse}), {@code 64x128} by default. {@code ENCODER}
 * is parsed by {@link Encoder#parse} and {@code LM_OPTIMIZER} by {@link LmOptimizer#parse}. A
 * recipe is parsed by {@link Recipe#parse}, and {@code -} skips that arm. {@code LM_EPOCHS} is
 * {@code N} (pretraining epochs on Brown plus the training mails) or {@code N+M} (then {@code M}
 * more epochs on the training mails alone, the second stage of ULMFiT). A language model already
 * saved under {@code OUT_DIR} is reused, so later runs skip pretraining.
 *
 * <p>Splits: the mails are shuffled with seed 0 and the first 20 % are the test split. The others
 * form the training pool, which each seed shuffles again: the run trains on the first {@code SIZE}
 * mails of that order and measures validation accuracy on its last {@link #VALIDATION_MAILS} mails,
 * which no run of that seed trains on unless {@code SIZE} leaves fewer than that many mails over
 * (then the run has no validation split). Recipes are chosen on validation accuracy; test accuracy
 * is only reported.
 */
public final class SpamTransferBenchmark {

  /** Default of the tokens kept from the start of each mail body. */
  static final int DEFAULT_MAX_TOKENS = 100;

  /** Brown tokens in the language-model text unless the command names another count. */
  static final int DEFAULT_BROWN_TOKENS = 200000;

  /** Folder below the output folder of the language models trained on reversed text. */
  static final String BACKWARD = "backward";

  /** Mails held out of the training pool of each seed for validation. */
  static final int VALIDATION_MAILS = 500;

  private SpamTransferBenchmark() {}

  /**
   * Embedding and LSTM sizes of both arms and of the language model, the maximum size of their
   * vocabulary, and their number of stacked LSTM layers.
   */
  record ModelSize(int embedding, int hidden, int words, int layers) {

    /** Maximum vocabulary size unless the sizes name another limit. */
    static final int DEFAULT_WORDS = 20000;

    /** Default sizes: embedding 64, one LSTM layer of 128, 20,000 words. */
    static final ModelSize DEFAULT = new ModelSize(64, 128, DEFAULT_WORDS, 1);

    /**
     * Parses {@code EMBEDDINGxHIDDEN}, {@code EMBEDDINGxHIDDENxWORDS} or {@code
     * EMBEDDINGxHIDDENxWORDSxLAYERS}, for example {@code 64x128}, {@code 64x128x40000} or {@code
     * 64x128x20000x2}.
     */
    static ModelSize parse(String text) {
      String[] parts = text.split("x");
      if (parts.length < 2 || parts.length > 4) {
        throw new IllegalArgumentException(
            "model sizes must be EMBEDDINGxHIDDEN[xWORDS[xLAYERS]], for example 64x128, 64x128x40000"
                + " or 64x128x20000x2, got "
                + text);
      }
      return new ModelSize(
          Integer.parseInt(parts[0]),
          Integer.parseInt(parts[1]),
          parts.length > 2 ? Integer.parseInt(parts[2]) : DEFAULT_WORDS,
          parts.length > 3 ? Integer.parseInt(parts[3]) : 1);
    }

    /** Returns the model of both arms and of the language model for mails of {@code maxTokens}. */
    ModelConfig model(int maxTokens) {
      return ModelConfig.newBuilder()
          .setEmbeddingSize(embedding)
          .setHiddenSize(hidden)
          .setNumLayers(layers)
          .setMaxLength(maxTokens)
          .setPooling(Pooling.CONCAT_POOLING)
          .build();
    }

    @Override
    public String toString() {
      String size = embedding + "x" + hidden;
      if (layers != 1) {
        return size + "x" + words + "x" + layers;
      }
      return words == DEFAULT_WORDS ? size : size + "x" + words;
    }
  }

  /**
   * Returns the folder of the language model pretrained for {@code epochs} epochs on mails cut to
   * {@code maxTokens}, then {@code mailEpochs} epochs on the mails alone. The default cut and sizes
   * and no mail-only epochs keep the folder name of earlier runs, {@code spam-lm-eN}.
   */
  static Path lmFolder(Path out, ModelSize modelSize, int maxTokens, int epochs, int mailEpochs) {
    String size = modelSize.equals(ModelSize.DEFAULT) ? "" : "s" + modelSize + "-";
    String cut = maxTokens == DEFAULT_MAX_TOKENS ? "" : "t" + maxTokens + "-";
    String second = mailEpochs == 0 ? "" : "-m" + mailEpochs;
    return out.resolve("spam-lm-" + size + cut + "e" + epochs + second);
  }

  /** Training mails of one run, and the validation mails held out of the same seed's pool. */
  record Split(List<Example> train, List<Example> validation) {

    /**
     * Shuffles {@code pool} with {@code seed} and returns its first {@code size} mails for training
     * and its last {@code validationMails} for validation, or no validation mails where the two
     * would overlap.
     */
    static Split of(List<Example> pool, int size, long seed, int validationMails) {
      if (size < 1 || size > pool.size()) {
        throw new IllegalArgumentException(
            "training mails must be between 1 and " + pool.size() + ", got " + size);
      }
      List<Example> shuffled = new ArrayList<>(pool);
      Collections.shuffle(shuffled, new Random(seed));
      List<Example> validation =
          size + validationMails <= shuffled.size()
              ? shuffled.subList(shuffled.size() - validationMails, shuffled.size())
              : List.of();
      return new Split(shuffled.subList(0, size), validation);
    }

    /** Returns the same split with every mail read backwards. */
    Split reversed() {
      return new Split(
          SpamTransferBenchmark.reversed(train), SpamTransferBenchmark.reversed(validation));
    }
  }

  /** Returns copies of {@code mails} with the tokens of each body in reverse order. */
  static List<Example> reversed(List<Example> mails) {
    List<Example> reversed = new ArrayList<>(mails.size());
    for (Example mail : mails) {
      List<String> tokens = new ArrayList<>(mail.tokens());
      Collections.reverse(tokens);
      reversed.add(new Example(mail.id(), tokens, mail.label(), null));
    }
    return reversed;
  }

  public static void main(String[] args) throws Exception {
    Path brownDir = Path.of(args[0]);
    Path spamDir = Path.of(args[1]);
    Path out = Path.of(args[2]);
    String[] sizes = args[3].split(",");
    String[] seeds = args[4].split(",");
    int brownTokens = Integer.parseInt(args[5]);
    String[] lmEpochParts = args[6].split("\\+");
    int lmEpochs = Integer.parseInt(lmEpochParts[0]);
    int mailEpochs = lmEpochParts.length > 1 ? Integer.parseInt(lmEpochParts[1]) : 0;
    Recipe randomRecipe = Recipe.parse(args[7]);
    Recipe transferRecipe = Recipe.parse(args[8]);
    int maxTokens = args.length > 9 ? Integer.parseInt(args[9]) : DEFAULT_MAX_TOKENS;
    int lmMaxTokens = args.length > 10 ? Integer.parseInt(args[10]) : maxTokens;
    ModelSize modelSize = args.length > 11 ? ModelSize.parse(args[11]) : ModelSize.DEFAULT;
    Encoder encoder = args.length > 12 ? Encoder.parse(args[12]) : Encoder.FORWARD;
    LmOptimizer lmOptimizer = args.length > 13 ? LmOptimizer.parse(args[13]) : LmOptimizer.ADAM;
    if (encoder != Encoder.FORWARD && transferRecipe != null && transferRecipe.embeddingOnly()) {
      throw new IllegalArgumentException(
          "embedding-only loads one language model, so it needs the forward encoder; drop"
              + " :embedding-only or run with encoder forward");
    }
    System.out.println(
        "random init: "
            + randomRecipe
            + "; fine-tuned: "
            + transferRecipe
            + "; max tokens per mail "
            + maxTokens
            + ", in the language-model text "
            + lmMaxTokens
            + ", embedding x LSTM "
            + modelSize
            + ", "
            + encoder.description
            + ", language model trained with "
            + lmOptimizer.description);

    long started = System.nanoTime();
    List<Example> mails = readMails(spamDir, Math.max(maxTokens, lmMaxTokens));
    Collections.shuffle(mails, new Random(0));
    int testSize = mails.size() / 5;
    List<Example> test = cut(mails.subList(0, testSize), maxTokens);
    List<Example> train = cut(mails.subList(testSize, mails.size()), maxTokens);
    List<Example> lmMails = cut(mails.subList(testSize, mails.size()), lmMaxTokens);
    System.out.printf(
        "mails: %d train, %d test (%d spam in test)%n",
        train.size(), test.size(), test.stream().filter(m -> m.label().equals("spam")).count());

    Path lmOut = lmOptimizer.folder(lmRoot(out, brownTokens));
    TrainingConfig lmTraining = lmOptimizer.training();
    Path lmFolder = lmFolder(lmOut, modelSize, lmMaxTokens, lmEpochs, mailEpochs);
    Vocabulary vocabulary =
        languageModel(
            brownDir,
            brownTokens,
            lmMails,
            lmOut,
            modelSize,
            lmMaxTokens,
            lmEpochs,
            false,
            lmTraining);
    Path backwardFolder = null;
    if (encoder != Encoder.FORWARD) {
      // Reversal keeps every count, so the backward model's vocabulary equals the forward one's.
      Path backwardOut = lmOut.resolve(BACKWARD);
      languageModel(
          brownDir,
          brownTokens,
          lmMails,
          backwardOut,
          modelSize,
          lmMaxTokens,
          lmEpochs,
          true,
          lmTraining);
      backwardFolder = lmFolder(backwardOut, modelSize, lmMaxTokens, lmEpochs, 0);
    }
    if (mailEpochs > 0) {
      continueOnMails(
          lmMails, vocabulary, lmOut, modelSize, lmMaxTokens, lmEpochs, mailEpochs, lmTraining);
    }
    List<String> labels = List.of(SpamAssassinReader.HAM, SpamAssassinReader.SPAM);
    StringBuilder table = new StringBuilder();
    table
        .append("| training mails | seeds | random init validation | random init test |")
        .append(" random init test F1 | fine-tuned validation | fine-tuned test |")
        .append(" fine-tuned test F1 |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (String sizeText : sizes) {
      int size = sizeText.equals("all") ? train.size() : Integer.parseInt(sizeText);
      double[][] sums = new double[2][3];
      for (String seedText : seeds) {
        long seed = Long.parseLong(seedText);
        Split split = Split.of(train, size, seed, VALIDATION_MAILS);
        for (int transfer = 0; transfer < 2; transfer++) {
          Recipe recipe = transfer == 1 ? transferRecipe : randomRecipe;
          if (recipe == null) {
            continue;
          }
          long runStarted = System.nanoTime();
          ModelConfig model = modelSize.model(maxTokens);
          Probabilities probabilities =
              encoder == Encoder.ENSEMBLE
                  ? fineTune(
                          split,
                          test,
                          vocabulary,
                          labels,
                          lmFolder,
                          null,
                          seed,
                          recipe,
                          transfer == 1,
                          model)
                      .averagedWith(
                          fineTune(
                              split.reversed(),
                              reversed(test),
                              vocabulary,
                              labels,
                              backwardFolder,
                              null,
                              seed,
                              recipe,
                              transfer == 1,
                              model))
                  : fineTune(
                      split,
                      test,
                      vocabulary,
                      labels,
                      lmFolder,
                      encoder == Encoder.BIDIRECTIONAL ? backwardFolder : null,
                      seed,
                      recipe,
                      transfer == 1,
                      model);
          Run run = Run.of(probabilities, split.validation(), test, labels);
          sums[transfer][0] += run.validationAccuracy();
          sums[transfer][1] += run.test().accuracy();
          sums[transfer][2] += run.test().macroF1();
          System.out.printf(
              "size %d seed %d %s: validation accuracy %s, test accuracy %.4f macro-F1 %.4f,"
                  + " last-epoch train loss %.4f (%.0f s)%n",
              size,
              seed,
              transfer == 1 ? "fine-tuned" : "random init",
              cell(run.validationAccuracy()),
              run.test().accuracy(),
              run.test().macroF1(),
              run.lastLoss(),
              (System.nanoTime() - runStarted) / 1e9);
        }
      }
      int n = seeds.length;
      table.append(String.format("| %d | %d |", size, n));
      table.append(meanCells(randomRecipe, sums[0], n));
      table.append(meanCells(transferRecipe, sums[1], n)).append('\n');
    }
    System.out.print(table);
    System.out.printf("total wall time %.0f s%n", (System.nanoTime() - started) / 1e9);
  }

  /** Returns copies of {@code mails} with each body cut to its first {@code maxTokens} tokens. */
  private static List<Example> cut(List<Example> mails, int maxTokens) {
    List<Example> cut = new ArrayList<>();
    for (Example mail : mails) {
      List<String> tokens = mail.tokens();
      cut.add(
          new Example(
              mail.id(),
              tokens.subList(0, Math.min(maxTokens, tokens.size())),
              mail.label(),
              null));
    }
    return cut;
  }

  /** Reads the lower-cased mails of {@code spamDir}, each body cut to {@code maxTokens}. */
  private static List<Example> readMails(Path spamDir, int maxTokens) throws Exception {
    return cut(
        new SpamAssassinReader(new Tokenizer(true), false).readDirectory(spamDir), maxTokens);
  }

  /**
   * Returns the vocabulary of the language model pretrained for {@code epochs} epochs, after
   * pretraining it first unless it is saved already. Its text is the lower-cased Brown tokens, then
   * the unlabelled training mails, read backwards where {@code backward} is set.
   */
  private static Vocabulary languageModel(
      Path brownDir,
      int brownTokens,
      List<Example> train,
      Path out,
      ModelSize modelSize,
      int maxTokens,
      int epochs,
      boolean backward,
      TrainingConfig lmTraining)
      throws Exception {
    Path folder = lmFolder(out, modelSize, maxTokens, epochs, 0);
    if (Files.isRegularFile(folder.resolve("checkpoint/variables.index"))) {
      Vocabulary vocabulary = ModelFiles.readVocabulary(folder);
      System.out.println("language model: reusing " + folder + ", vocabulary " + vocabulary.size());
      return vocabulary;
    }
    TokenStream brown =
        BrownSplits.languageModel(BrownCorpus.readDirectory(brownDir), brownTokens, 1, false, true)
            .train();
    List<String> lmTokens = new ArrayList<>(brown.tokens());
    List<Integer> starts = new ArrayList<>();
    for (int start : brown.documentStarts()) {
      starts.add(start);
    }
    for (Example mail : train) {
      starts.add(lmTokens.size());
      lmTokens.addAll(mail.tokens());
    }
    TokenStream text =
        new TokenStream(lmTokens, starts.stream().mapToInt(Integer::intValue).toArray());
    if (backward) {
      text = text.reversed();
    }
    int saved = latestSavedEpoch(out, modelSize, maxTokens, epochs);
    Vocabulary vocabulary =
        saved > 0
            ? ModelFiles.readVocabulary(lmFolder(out, modelSize, maxTokens, saved, 0))
            : Vocabulary.build(List.of(lmTokens), 3, modelSize.words(), List.of());
    ModelConfig model = modelSize.model(maxTokens).toBuilder().setReversed(backward).build();
    try (LanguageModelTask lm = LanguageModelTask.create(model, lmTraining, vocabulary)) {
      if (saved > 0) {
        // The checkpoint contains the optimizer's slots and step counts, so training continues
        // where the run that saved it stopped.
        Checkpoints.restore(
            lm.session().session(),
            lmFolder(out, modelSize, maxTokens, saved, 0).resolve(ModelFiles.CHECKPOINT));
        System.out.println("language model: continuing after saved epoch " + saved);
      }
      trainLanguageModel(
          lm,
          text,
          vocabulary,
          saved + 1,
          epochs,
          epoch -> lmFolder(out, modelSize, maxTokens, epoch, 0));
    }
    return vocabulary;
  }

  /**
   * Returns the folder of the language models whose text has {@code brownTokens} Brown tokens:
   * {@code out} for the default count, so earlier runs keep their folders, else a folder below it.
   */
  static Path lmRoot(Path out, int brownTokens) {
    return brownTokens == DEFAULT_BROWN_TOKENS ? out : out.resolve("brown-" + brownTokens);
  }

  /**
   * Reading direction of each arm. {@code FORWARD} reads each mail forward. {@code BIDIRECTIONAL}
   * reads it both ways, and the fine-tuned arm loads the backward half from the language model of
   * reversed text. {@code ENSEMBLE} averages the class probabilities of a forward classifier and a
   * second classifier that reads the mails backwards (fine-tuned from that language model).
   */
  enum Encoder {
    FORWARD("forward"),
    BIDIRECTIONAL("bidirectional"),
    ENSEMBLE("ensemble of a forward and a backward classifier");

    final String description;

    Encoder(String description) {
      this.description = description;
    }

    /** Parses {@code forward}, {@code bidirectional} or {@code ensemble}. */
    static Encoder parse(String name) {
      return switch (name) {
        case "forward" -> FORWARD;
        case "bidirectional" -> BIDIRECTIONAL;
        case "ensemble" -> ENSEMBLE;
        default ->
            throw new IllegalArgumentException(
                "encoder must be forward, bidirectional or ensemble, got " + name);
      };
    }
  }

  /** Returns the last pretraining epoch below {@code epochs} with a saved model, or 0. */
  static int latestSavedEpoch(Path out, ModelSize modelSize, int maxTokens, int epochs) {
    for (int epoch = epochs - 1; epoch > 0; epoch--) {
      Path folder = lmFolder(out, modelSize, maxTokens, epoch, 0);
      if (Files.isRegularFile(folder.resolve("checkpoint/variables.index"))) {
        return epoch;
      }
    }
    return 0;
  }

  /**
   * Continues the language model of {@code epochs} epochs on the training mails alone for {@code
   * mailEpochs} epochs, unless that model is saved already.
   */
  private static void continueOnMails(
      List<Example> train,
      Vocabulary vocabulary,
      Path out,
      ModelSize modelSize,
      int maxTokens,
      int epochs,
      int mailEpochs,
      TrainingConfig lmTraining) {
    if (Files.isRegularFile(
        lmFolder(out, modelSize, maxTokens, epochs, mailEpochs)
            .resolve("checkpoint/variables.index"))) {
      return;
    }
    List<String> tokens = new ArrayList<>();
    int[] starts = new int[train.size()];
    for (int i = 0; i < train.size(); i++) {
      starts[i] = tokens.size();
      tokens.addAll(train.get(i).tokens());
    }
    try (LanguageModelTask lm =
        LanguageModelTask.create(modelSize.model(maxTokens), lmTraining, vocabulary)) {
      Checkpoints.restore(
          lm.session().session(),
          lmFolder(out, modelSize, maxTokens, epochs, 0).resolve(ModelFiles.CHECKPOINT));
      trainLanguageModel(
          lm,
          new TokenStream(tokens, starts),
          vocabulary,
          1,
          mailEpochs,
          epoch -> lmFolder(out, modelSize, maxTokens, epochs, epoch));
    }
  }

  /**
   * Optimizer of the language model: Adam at 0.003 with clip norm 1, or plain SGD at 20 with clip
   * norm 0.25, whose models are saved below {@code sgd/} of the language-model folder. Both train
   * batches of 32 lanes with BPTT 35 from seed 1.
   */
  enum LmOptimizer {
    ADAM("Adam at 0.003"),
    SGD("SGD at 20");

    final String description;

    LmOptimizer(String description) {
      this.description = description;
    }

    /** Parses {@code adam} or {@code sgd}. */
    static LmOptimizer parse(String name) {
      return switch (name) {
        case "adam" -> ADAM;
        case "sgd" -> SGD;
        default ->
            throw new IllegalArgumentException(
                "language-model optimizer must be adam or sgd, got " + name);
      };
    }

    /** Returns the folder of this optimizer's language models below {@code root}. */
    Path folder(Path root) {
      return this == ADAM ? root : root.resolve("sgd");
    }

    /** Returns the language model's training configuration with this optimizer. */
    TrainingConfig training() {
      TrainingConfig.Builder builder =
          TrainingConfig.newBuilder().setBatchSize(32).setBpttSteps(35).setSeed(1);
      if (this == ADAM) {
        return builder.setLearningRate(0.003f).setClipNorm(1f).build();
      }
      return builder
          .setOptimizer(OptimizerKind.SGD)
          .setLearningRate(20f)
          .setClipNorm(0.25f)
          .build();
    }
  }

  /** Trains {@code lm} for epochs {@code firstEpoch} to {@code lastEpoch}, saving after each. */
  private static void trainLanguageModel(
      LanguageModelTask lm,
      TokenStream text,
      Vocabulary vocabulary,
      int firstEpoch,
      int lastEpoch,
      IntFunction<Path> folderOfEpoch) {
    int[] ids = text.ids(vocabulary);
    int[] documentStarts = text.documentStarts();
    long lmStarted = System.nanoTime();
    for (int epoch = firstEpoch; epoch <= lastEpoch; epoch++) {
      var stats = lm.trainEpoch(ids, documentStarts);
      System.out.printf(
          "language model: %d tokens, vocabulary %d, epoch %d, train loss %.3f, %.0f s%n",
          ids.length,
          vocabulary.size(),
          epoch,
          stats.meanLoss(),
          (System.nanoTime() - lmStarted) / 1e9);
      lm.save(folderOfEpoch.apply(epoch));
    }
  }

  /** Returns the mean cells of one arm, {@code -} where the arm was skipped. */
  private static String meanCells(Recipe recipe, double[] sums, int seeds) {
    if (recipe == null) {
      return " - | - | - |";
    }
    return String.format(
        " %s | %.4f | %.4f |", cell(sums[0] / seeds), sums[1] / seeds, sums[2] / seeds);
  }

  /** Formats an accuracy with 4 decimals, or {@code -} when it was not measured (NaN). */
  static String cell(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.4f", value);
  }

  /**
   * Returns the epochs of a run on {@code mails} training mails: about 2000 mails' worth of
   * updates, between 3 and 10 epochs. At least 3 so that gradual unfreezing reaches the embedding.
   */
  static int epochs(int mails) {
    return Math.max(3, Math.min(10, 2000 / mails));
  }

  /**
   * Test evaluation, validation accuracy ({@code NaN} without validation mails) and the mean
   * training loss of the last epoch.
   */
  record Run(Evaluation test, double validationAccuracy, double lastLoss) {

    /** Scores {@code probabilities} against the labels of the validation and test mails. */
    static Run of(
        Probabilities probabilities,
        List<Example> validation,
        List<Example> test,
        List<String> labels) {
      return new Run(
          evaluation(probabilities.test(), test, labels),
          validation.isEmpty()
              ? Double.NaN
              : evaluation(probabilities.validation(), validation, labels).accuracy(),
          probabilities.lastLoss());
    }
  }

  /** Returns the evaluation of the most probable class of each mail against its label. */
  static Evaluation evaluation(
      List<float[]> probabilities, List<Example> mails, List<String> labels) {
    int[] gold = new int[mails.size()];
    int[] predicted = new int[mails.size()];
    for (int i = 0; i < mails.size(); i++) {
      gold[i] = labels.indexOf(mails.get(i).label());
      float[] row = probabilities.get(i);
      for (int label = 1; label < row.length; label++) {
        if (row[label] > row[predicted[i]]) {
          predicted[i] = label;
        }
      }
    }
    return new Evaluation(labels, gold, predicted);
  }

  /**
   * Class probabilities of the validation and test mails, in their order, and the mean training
   * loss of the last epoch.
   */
  record Probabilities(List<float[]> validation, List<float[]> test, double lastLoss) {

    /**
     * Returns the mean of these probabilities and {@code other}'s, mail by mail, with the mean of
     * the two losses.
     */
    Probabilities averagedWith(Probabilities other) {
      return new Probabilities(
          mean(validation, other.validation),
          mean(test, other.test),
          (lastLoss + other.lastLoss) / 2);
    }

    private static List<float[]> mean(List<float[]> first, List<float[]> second) {
      List<float[]> mean = new ArrayList<>(first.size());
      for (int i = 0; i < first.size(); i++) {
        float[] row = new float[first.get(i).length];
        for (int label = 0; label < row.length; label++) {
          row[label] = (first.get(i)[label] + second.get(i)[label]) / 2;
        }
        mean.add(row);
      }
      return mean;
    }
  }

  private static Probabilities fineTune(
      Split split,
      List<Example> test,
      Vocabulary vocabulary,
      List<String> labels,
      Path lmFolder,
      Path backwardFolder,
      long seed,
      Recipe recipe,
      boolean transfer,
      ModelConfig base) {
    List<Example> train = split.train();
    int epochs = recipe.epochs() > 0 ? recipe.epochs() : epochs(train.size());
    TrainingConfig training =
        TrainingConfig.newBuilder()
            .setLearningRate(recipe.peakRate())
            .setBatchSize(16)
            .setClipNorm(1f)
            .setSeed(seed)
            .addAllBucketBoundaries(bucketBoundaries(base.getMaxLength()))
            .build();
    ModelConfig model =
        base.toBuilder()
            .setDropout(recipe.dropout())
            .setHeadHiddenSize(recipe.headHidden())
            .setLmLossWeight(recipe.lmLossWeight())
            .setBidirectional(backwardFolder != null)
            .build();
    try (ClassifierTask classifier =
        ClassifierTask.createWithLayerGroups(model, training, vocabulary, labels)) {
      if (transfer && recipe.embeddingOnly()) {
        // The LSTM joins the head among the variables that keep their initial values.
        ModelSession session = classifier.modelSession();
        WeightTransfer.load(
            session.session(),
            session.store(),
            List.of(WeightTransfer.Source.of(PretrainedModel.resolve(lmFolder).prefix())),
            new WeightTransfer.Options(
                List.of(session.network().headScope() + "/", "lstm/"), false, false));
      } else if (transfer) {
        FineTuning pretrained =
            backwardFolder == null
                ? FineTuning.single(lmFolder)
                : FineTuning.bidirectional(lmFolder, backwardFolder);
        pretrained.load(classifier.modelSession(), false, false);
      }
      if (transfer && recipe.rescaleEmbedding()) {
        rescaleEmbedding(classifier.modelSession());
      }
      int groups = classifier.layerGroups().size();
      recipe.unfreezing().requireEveryGroupTrains(groups, epochs);
      long total = (long) epochs * classifier.updatesPerEpoch(train);
      GroupSchedule schedule =
          new UlmfitSchedule(
              groups,
              recipe.peakRate(),
              recipe.factor(),
              recipe.unfreezing(),
              recipe.slanted() ? new SlantedTriangular(total, 0.1, 32) : null);
      classifier.setGroupSchedule(new EmbeddingScaled(schedule, recipe.embeddingScale()));
      double lastLoss = Double.NaN;
      for (int epoch = 0; epoch < epochs; epoch++) {
        lastLoss = classifier.trainEpoch(train, epoch).meanLoss();
      }
      return new Probabilities(
          classifier.predictProbabilities(split.validation()),
          classifier.predictProbabilities(test),
          lastLoss);
    }
  }

  /** Root mean square of the embedding's random initialization, uniform in [-0.05, 0.05). */
  static final double INITIAL_EMBEDDING_RMS = 0.05 / Math.sqrt(3);

  /**
   * Scales the loaded embedding so that its root mean square equals that of a random
   * initialization, keeping the directions of the pretrained vectors.
   */
  static void rescaleEmbedding(ModelSession session) {
    Ops tf = session.ops().withSubScope("rescale_embedding");
    Variable<TFloat32> embeddings = session.store().variables().get("embedding/embeddings");
    Operand<TFloat32> rms =
        tf.math.sqrt(tf.math.mean(tf.math.square(embeddings), tf.constant(new int[] {0, 1})));
    Operand<TFloat32> scaled =
        tf.math.mul(embeddings, tf.math.div(tf.constant((float) INITIAL_EMBEDDING_RMS), rms));
    session.session().runner().addTarget(tf.assign(embeddings, scaled)).run();
  }

  /**
   * Returns bucket boundaries every 25 tokens up to 100, then every 50, below {@code maxTokens}.
   */
  static List<Integer> bucketBoundaries(int maxTokens) {
    List<Integer> boundaries = new ArrayList<>();
    for (int boundary = 25; boundary < maxTokens; boundary += boundary < 100 ? 25 : 50) {
      boundaries.add(boundary);
    }
    return boundaries;
  }

  /**
   * Multiplies the embedding group's rate (the bottom group) of {@code schedule} by {@code scale},
   * and freezes that group where {@code scale} is 0.
   */
  record EmbeddingScaled(GroupSchedule schedule, float scale) implements GroupSchedule {

    @Override
    public float[] rates(long step, int epoch) {
      float[] rates = schedule.rates(step, epoch);
      rates[0] *= scale;
      return rates;
    }

    @Override
    public boolean[] enabled(int epoch) {
      boolean[] enabled = schedule.enabled(epoch);
      enabled[0] &= scale > 0;
      return enabled;
    }
  }

  /**
   * How one arm fine-tunes: the head's peak rate, the divisor between the rates of neighbouring
   * layer groups, the unfreezing policy, whether the rate follows a slanted triangular schedule
   * (otherwise it stays at the peak rate), the epochs (0 for {@link #epochs(int)}), the dropout
   * rate of the model, a multiplier of the embedding's rate (0 freezes the embedding), whether the
   * fine-tuned arm loads only the pretrained embedding and starts the LSTM from random values, and
   * whether it scales the loaded embedding to the root mean square of a random initialization. The
   * last fields are the units of a ReLU layer in the classifier's head (0 for none) and the weight
   * of an auxiliary language-model loss on the training mails (0 for none).
   */
  record Recipe(
      float peakRate,
      float factor,
      Unfreezing unfreezing,
      boolean slanted,
      int epochs,
      float dropout,
      float embeddingScale,
      boolean embeddingOnly,
      boolean rescaleEmbedding,
      int headHidden,
      float lmLossWeight) {

    static final String FORMAT =
        "PEAK_RATE:FACTOR:UNFREEZING[:constant][:epochs=N][:dropout=RATE][:embedding=SCALE]"
            + "[:embedding-only][:rescale][:head=UNITS][:lm=WEIGHT]";

    /**
     * Parses {@code PEAK_RATE:FACTOR:UNFREEZING} followed by any of the options {@code constant},
     * {@code epochs=N}, {@code dropout=RATE}, {@code embedding=SCALE}, {@code embedding-only},
     * {@code rescale}, {@code head=UNITS} and {@code lm=WEIGHT}, for example {@code 0.01:1:NONE} or
     * {@code 0.02:1:HEAD_ONLY:constant:epochs=30}, or {@code -}, which skips the arm and returns
     * {@code null}.
     */
    static Recipe parse(String text) {
      if (text.equals("-")) {
        return null;
      }
      String[] parts = text.split(":");
      if (parts.length < 3) {
        throw invalid(text);
      }
      boolean slanted = true;
      int epochs = 0;
      float dropout = 0;
      float embeddingScale = 1;
      boolean embeddingOnly = false;
      boolean rescale = false;
      int headHidden = 0;
      float lmLossWeight = 0;
      for (int i = 3; i < parts.length; i++) {
        String[] option = parts[i].split("=", 2);
        switch (option[0]) {
          case "constant" -> slanted = false;
          case "epochs" -> epochs = Integer.parseInt(value(option, text));
          case "dropout" -> dropout = Float.parseFloat(value(option, text));
          case "embedding" -> embeddingScale = Float.parseFloat(value(option, text));
          case "embedding-only" -> embeddingOnly = true;
          case "rescale" -> rescale = true;
          case "head" -> headHidden = Integer.parseInt(value(option, text));
          case "lm" -> lmLossWeight = Float.parseFloat(value(option, text));
          default -> throw invalid(text);
        }
      }
      return new Recipe(
          Float.parseFloat(parts[0]),
          Float.parseFloat(parts[1]),
          Unfreezing.valueOf(parts[2]),
          slanted,
          epochs,
          dropout,
          embeddingScale,
          embeddingOnly,
          rescale,
          headHidden,
          lmLossWeight);
    }

    private static String value(String[] option, String text) {
      if (option.length != 2) {
        throw invalid(text);
      }
      return option[1];
    }

    private static IllegalArgumentException invalid(String text) {
      return new IllegalArgumentException(
          "recipe must be " + FORMAT + ", for example 0.01:1:NONE, got " + text);
    }

    @Override
    public String toString() {
      return "peak "
          + peakRate
          + ", factor "
          + factor
          + ", unfreezing "
          + unfreezing
          + (slanted ? ", slanted triangular" : ", constant rate")
          + (epochs > 0 ? ", " + epochs + " epochs" : "")
          + (dropout > 0 ? ", dropout " + dropout : "")
          + (embeddingScale != 1 ? ", embedding rate x" + embeddingScale : "")
          + (embeddingOnly ? ", pretrained embedding only" : "")
          + (rescaleEmbedding ? ", embedding rescaled to the initial RMS" : "")
          + (headHidden > 0 ? ", hidden head layer of " + headHidden : "")
          + (lmLossWeight > 0 ? ", auxiliary language-model loss x" + lmLossWeight : "");
    }
  }
}
