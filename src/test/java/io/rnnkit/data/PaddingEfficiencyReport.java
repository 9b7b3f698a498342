package io.rnnkit.data;

import io.rnnkit.data.BucketBatcher.Batch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Prints the padding efficiency of Brown sentence batches with and without bucketing.
 *
 * <p>Not a test: it needs the corpus from {@code scripts/fetch-data.sh}. Run it after {@code mvn
 * test-compile} with
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat target/runtime-classpath.txt) \
 *     io.rnnkit.data.PaddingEfficiencyReport data/brown 32
 * </pre>
 */
public final class PaddingEfficiencyReport {
  private PaddingEfficiencyReport() {}

  /** Reads the corpus in {@code args[0]} and prints one line per batching setup. */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "data/brown");
    int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 32;

    long start = System.nanoTime();
    List<BrownDocument> documents = BrownCorpus.readDirectory(dir);
    List<Example> examples = BrownSplits.genreExamples(documents, false);
    double readSeconds = (System.nanoTime() - start) / 1e9;

    long[] ids = new long[examples.size()];
    int[][] sequences = new int[examples.size()][];
    int[] lengths = new int[examples.size()];
    long tokens = 0;
    for (int i = 0; i < examples.size(); i++) {
      ids[i] = examples.get(i).id();
      lengths[i] = examples.get(i).tokens().size();
      sequences[i] = new int[lengths[i]];
      Arrays.fill(sequences[i], 2);
      tokens += lengths[i];
    }
    int[] sorted = lengths.clone();
    Arrays.sort(sorted);
    System.out.printf(
        "Brown: %d documents, %d sentences, %d tokens, read in %.2f s%n",
        documents.size(), examples.size(), tokens, readSeconds);
    System.out.printf(
        "Sentence length: mean %.2f, median %d, p99 %d, max %d%n",
        (double) tokens / examples.size(),
        sorted[sorted.length / 2],
        sorted[(int) (sorted.length * 0.99)],
        sorted[sorted.length - 1]);
    System.out.printf("Batch size %d, epoch(seed 1, epoch 0)%n", batchSize);

    BucketBatcher single = BucketBatcher.builder(ids, sequences).batchSize(batchSize).build();
    List<Batch> singleBatches = single.epoch(1, 0);
    report("one bucket, padded to the max length", single, singleBatches);
    System.out.printf(
        "%-48s efficiency %.3f%n",
        "one bucket, each batch padded to its own max", batchMaxEfficiency(singleBatches));

    for (int buckets : new int[] {2, 4, 8, 16, 32}) {
      BucketBatcher batcher =
          BucketBatcher.builder(ids, sequences)
              .boundaries(BucketBatcher.deriveBoundaries(lengths, buckets))
              .batchSize(batchSize)
              .build();
      report(buckets + " quantile buckets", batcher, batcher.epoch(1, 0));
    }

    // The top quantile bucket pads every long sentence to the max length (180), so extra edges in
    // the tail show how much of the remaining padding comes from a few long sentences.
    BucketBatcher tail =
        BucketBatcher.builder(ids, sequences)
            .boundaries(7, 11, 14, 18, 22, 27, 35, 45, 60, 80, 120, 180)
            .batchSize(batchSize)
            .build();
    report("8 quantile buckets plus tail edges", tail, tail.epoch(1, 0));
  }

  private static void report(String name, BucketBatcher batcher, List<Batch> batches) {
    System.out.printf(
        "%-48s efficiency %.3f, %d batches, boundaries %s%n",
        name,
        BucketBatcher.paddingEfficiency(batches),
        batches.size(),
        Arrays.toString(batcher.boundaries()));
  }

  /** Returns the efficiency when every batch is padded only to its longest row. */
  private static double batchMaxEfficiency(List<Batch> batches) {
    long real = 0;
    long slots = 0;
    for (Batch batch : batches) {
      int max = 0;
      for (int length : batch.lengths()) {
        max = Math.max(max, length);
      }
      real += batch.realTokens();
      slots += (long) max * batch.size();
    }
    return (double) real / slots;
  }
}
