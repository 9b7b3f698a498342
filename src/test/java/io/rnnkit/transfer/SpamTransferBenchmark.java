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
 * <p>Arguments: {@code BROWN_DIR SPAM_DIR OUT_DIR SIZES SEEDS BROWN_TOKENS}, for example {@code
 * data/brown data/spam-assassin runs/bench 50,200,1000,all 1,2,3 200000}. A language model already
 * saved under {@code OUT_DIR/spam-lm} is reused, so later runs skip pretraining.
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
    Path lmFolder = out.resolve("spam-lm");
    Vocabulary vocabulary;
    if (Files.isRegularFile(lmFolder.resolve("checkpoint/variables.index"))) {
      vocabulary = ModelFiles.readVocabulary(lmFolder);
      System.out.println(
          "language model: reusing " + lmFolder + ", vocabulary " + vocabulary.size());
    } else {
      vocabulary = Vocabulary.build(List.of(lmTokens), 3, 20000, List.of());
      pretrain(lmTokens, starts, vocabulary, lmFolder);
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
          long runStarted = System.nanoTime();
          Evaluation result =
              fineTune(subset, test, vocabulary, labels, lmFolder, seed, transfer == 1);
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
      table.append(
          String.format(
              "| %d | %d | %.4f | %.4f | %.4f | %.4f |%n",
              size, n, sums[0][0] / n, sums[0][1] / n, sums[1][0] / n, sums[1][1] / n));
    }
    System.out.print(table);
    System.out.printf("total wall time %.0f s%n", (System.nanoTime() - started) / 1e9);
  }

  private static void pretrain(
      List<String> lmTokens, List<Integer> starts, Vocabulary vocabulary, Path lmFolder) {
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
      var stats = lm.trainEpoch(ids, documentStarts);
      System.out.printf(
          "language model: %d tokens, vocabulary %d, 1 epoch, train loss %.3f, %.0f s%n",
          ids.length, vocabulary.size(), stats.meanLoss(), (System.nanoTime() - lmStarted) / 1e9);
      lm.save(lmFolder);
    }
  }

  private static Evaluation fineTune(
      List<Example> train,
      List<Example> test,
      Vocabulary vocabulary,
      List<String> labels,
      Path lmFolder,
      long seed,
      boolean transfer) {
    int epochs = Math.max(2, Math.min(10, 2000 / train.size()));
    TrainingConfig training =
        TrainingConfig.newBuilder()
            .setLearningRate(0.003f)
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
      long total = (long) epochs * classifier.updatesPerEpoch(train);
      classifier.setGroupSchedule(
          new UlmfitSchedule(
              classifier.layerGroups().size(),
              0.003f,
              transfer ? UlmfitSchedule.DEFAULT_FACTOR : 1f,
              transfer ? Unfreezing.GRADUAL : Unfreezing.NONE,
              new SlantedTriangular(total, 0.1, 32)));
      for (int epoch = 0; epoch < epochs; epoch++) {
        classifier.trainEpoch(train, epoch);
      }
      return classifier.evaluate(test);
    }
  }
}
