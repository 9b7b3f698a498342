package io.rnnkit.transfer;

import io.rnnkit.config.ModelConfig;
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
import io.rnnkit.task.ModelFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Spam filtering on SpamAssassin with and without a pretrained language model, for several
 * training-set sizes and seeds. Prints one line per run and a summary table in Markdown.
 *
 * <p>Arguments: {@code BROWN_DIR SPAM_DIR OUT_DIR SIZES SEEDS BROWN_TOKENS LM_EPOCHS RANDOM_RECIPE
 * FINE_TUNED_RECIPE}, for example {@code data/brown data/spam-assassin runs/bench 50,200,1000,all
 * 1,2,3 200000 4 0.003:1:NONE 0.01:1:NONE}; a recipe is {@code
 * PEAK_RATE:FACTOR:UNFREEZING[:constant]} (see {@link Recipe}), or {@code -} to skip that arm. A
 * language model already saved under {@code OUT_DIR/spam-lm-eLM_EPOCHS} is reused, so later runs
 * skip pretraining.
 */
public final class SpamTransferBenchmark {

  /** Tokens kept from the start of each mail body. */
  static final int MAX_TOKENS = 100;

  private static final ModelConfig MODEL =
      ModelConfig.newBuilder()
          .setEmbeddingSize(64)
          .setHiddenSize(128)
          .setMaxLength(MAX_TOKENS)
          .setPooling(Pooling.CONCAT_POOLING)
          .build();

  private SpamTransferBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path brownDir = Path.of(args[0]);
    Path spamDir = Path.of(args[1]);
    Path out = Path.of(args[2]);
    String[] sizes = args[3].split(",");
    String[] seeds = args[4].split(",");
    int brownTokens = Integer.parseInt(args[5]);
    int lmEpochs = Integer.parseInt(args[6]);
    Recipe randomRecipe = Recipe.parse(args[7]);
    Recipe transferRecipe = Recipe.parse(args[8]);
    System.out.println("random init: " + randomRecipe + "; fine-tuned: " + transferRecipe);

    long started = System.nanoTime();
    List<Example> mails = new ArrayList<>();
    for (Example mail : new SpamAssassinReader(new Tokenizer(true), false).readDirectory(spamDir)) {
      List<String> tokens = mail.tokens();
      mails.add(
          new Example(
              mail.id(),
              tokens.subList(0, Math.min(MAX_TOKENS, tokens.size())),
              mail.label(),
              null));
    }
    Collections.shuffle(mails, new Random(0));
    int testSize = mails.size() / 5;
    List<Example> test = mails.subList(0, testSize);
    List<Example> train = mails.subList(testSize, mails.size());
    System.out.printf(
        "mails: %d train, %d test (%d spam in test)%n",
        train.size(), test.size(), test.stream().filter(m -> m.label().equals("spam")).count());

    // Language-model text: lower-cased Brown tokens, then the unlabelled training mails.
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
    Path lmFolder = out.resolve("spam-lm-e" + lmEpochs);
    Vocabulary vocabulary;
    if (Files.isRegularFile(lmFolder.resolve("checkpoint/variables.index"))) {
      vocabulary = ModelFiles.readVocabulary(lmFolder);
      System.out.println(
          "language model: reusing " + lmFolder + ", vocabulary " + vocabulary.size());
    } else {
      vocabulary = Vocabulary.build(List.of(lmTokens), 3, 20000, List.of());
      pretrain(lmTokens, starts, vocabulary, lmEpochs, lmFolder);
    }
    List<String> labels = List.of(SpamAssassinReader.HAM, SpamAssassinReader.SPAM);
    StringBuilder table = new StringBuilder();
    table
        .append("| training mails | seeds | random init accuracy | random init F1 |")
        .append(" fine-tuned accuracy | fine-tuned F1 |\n| --- | --- | --- | --- | --- | --- |\n");
    for (String sizeText : sizes) {
      int size = sizeText.equals("all") ? train.size() : Integer.parseInt(sizeText);
      double[][] sums = new double[2][2];
      for (String seedText : seeds) {
        long seed = Long.parseLong(seedText);
        List<Example> subset = new ArrayList<>(train);
        Collections.shuffle(subset, new Random(seed));
        subset = subset.subList(0, size);
        for (int transfer = 0; transfer < 2; transfer++) {
          if ((transfer == 1 ? transferRecipe : randomRecipe) == null) {
            continue;
          }
          long runStarted = System.nanoTime();
          Evaluation result =
              fineTune(
                  subset,
                  test,
                  vocabulary,
                  labels,
                  lmFolder,
                  seed,
                  transfer == 1 ? transferRecipe : randomRecipe,
                  transfer == 1);
          sums[transfer][0] += result.accuracy();
          sums[transfer][1] += result.macroF1();
          System.out.printf(
              "size %d seed %d %s: accuracy %.4f macro-F1 %.4f (%.0f s)%n",
              size,
              seed,
              transfer == 1 ? "fine-tuned" : "random init",
              result.accuracy(),
              result.macroF1(),
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

  /** Returns the accuracy and macro-F1 cells of one arm, {@code -} where the arm was skipped. */
  private static String meanCells(Recipe recipe, double[] sums, int seeds) {
    if (recipe == null) {
      return " - | - |";
    }
    return String.format(" %.4f | %.4f |", sums[0] / seeds, sums[1] / seeds);
  }

  private static void pretrain(
      List<String> lmTokens,
      List<Integer> starts,
      Vocabulary vocabulary,
      int epochs,
      Path lmFolder) {
    int[] ids = vocabulary.ids(lmTokens);
    int[] documentStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    TrainingConfig lmTraining =
        TrainingConfig.newBuilder()
            .setLearningRate(0.003f)
            .setBatchSize(32)
            .setBpttSteps(35)
            .setClipNorm(1f)
            .setSeed(1)
            .build();
    long lmStarted = System.nanoTime();
    try (LanguageModelTask lm = LanguageModelTask.create(MODEL, lmTraining, vocabulary)) {
      for (int epoch = 1; epoch <= epochs; epoch++) {
        var stats = lm.trainEpoch(ids, documentStarts);
        System.out.printf(
            "language model: %d tokens, vocabulary %d, epoch %d, train loss %.3f, %.0f s%n",
            ids.length,
            vocabulary.size(),
            epoch,
            stats.meanLoss(),
            (System.nanoTime() - lmStarted) / 1e9);
      }
      lm.save(lmFolder);
    }
  }

  /**
   * How one arm fine-tunes: peak rate (the head's rate), the divisor between neighbouring layer
   * groups, the unfreezing policy, and whether the rate follows a slanted triangular schedule
   * (otherwise it stays at the peak rate).
   */
  record Recipe(float peakRate, float factor, Unfreezing unfreezing, boolean slanted) {

    /**
     * Parses {@code PEAK_RATE:FACTOR:UNFREEZING[:constant]}, for example {@code 0.01:1:NONE}, or
     * {@code -}, which skips the arm and returns {@code null}.
     */
    static Recipe parse(String text) {
      if (text.equals("-")) {
        return null;
      }
      String[] parts = text.split(":");
      boolean constant = parts.length == 4 && parts[3].equals("constant");
      if (parts.length != 3 && !constant) {
        throw new IllegalArgumentException(
            "recipe must be PEAK_RATE:FACTOR:UNFREEZING[:constant], for example 0.01:1:NONE, got "
                + text);
      }
      return new Recipe(
          Float.parseFloat(parts[0]),
          Float.parseFloat(parts[1]),
          Unfreezing.valueOf(parts[2]),
          !constant);
    }

    @Override
    public String toString() {
      return "peak "
          + peakRate
          + ", factor "
          + factor
          + ", unfreezing "
          + unfreezing
          + (slanted ? ", slanted triangular" : ", constant rate");
    }
  }

  /**
   * Returns the epochs of a run on {@code mails} training mails: about 2000 mails' worth of
   * updates, between 3 and 10 epochs. At least 3 so that gradual unfreezing reaches the embedding.
   */
  static int epochs(int mails) {
    return Math.max(3, Math.min(10, 2000 / mails));
  }

  private static Evaluation fineTune(
      List<Example> train,
      List<Example> test,
      Vocabulary vocabulary,
      List<String> labels,
      Path lmFolder,
      long seed,
      Recipe recipe,
      boolean transfer) {
    int epochs = epochs(train.size());
    TrainingConfig training =
        TrainingConfig.newBuilder()
            .setLearningRate(recipe.peakRate())
            .setBatchSize(16)
            .setClipNorm(1f)
            .setSeed(seed)
            .addAllBucketBoundaries(List.of(25, 50, 75))
            .build();
    try (ClassifierTask classifier =
        ClassifierTask.createWithLayerGroups(MODEL, training, vocabulary, labels)) {
      if (transfer) {
        FineTuning.single(lmFolder).load(classifier, false, false);
      }
      int groups = classifier.layerGroups().size();
      recipe.unfreezing().requireEveryGroupTrains(groups, epochs);
      long total = (long) epochs * classifier.updatesPerEpoch(train);
      classifier.setGroupSchedule(
          new UlmfitSchedule(
              groups,
              recipe.peakRate(),
              recipe.factor(),
              recipe.unfreezing(),
              recipe.slanted() ? new SlantedTriangular(total, 0.1, 32) : null));
      for (int epoch = 0; epoch < epochs; epoch++) {
        classifier.trainEpoch(train, epoch);
      }
      return classifier.evaluate(test);
    }
  }
}
