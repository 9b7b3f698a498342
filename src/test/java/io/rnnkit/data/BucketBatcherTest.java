package io.rnnkit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.data.BucketBatcher.Batch;
import io.rnnkit.data.BucketBatcher.Overflow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BucketBatcherTest {

  /** Example i has id 100 + i, length lengths[i] and tokens all equal to i + 1. */
  private static BucketBatcher.Builder builder(int... lengths) {
    long[] ids = new long[lengths.length];
    int[][] sequences = new int[lengths.length][];
    for (int i = 0; i < lengths.length; i++) {
      ids[i] = 100 + i;
      sequences[i] = new int[lengths[i]];
      Arrays.fill(sequences[i], i + 1);
    }
    return BucketBatcher.builder(ids, sequences);
  }

  private static int[] sizes(List<Batch> batches) {
    return batches.stream().mapToInt(Batch::size).toArray();
  }

  private static List<Long> ids(List<Batch> batches) {
    List<Long> ids = new ArrayList<>();
    for (Batch batch : batches) {
      for (long id : batch.exampleIds()) {
        ids.add(id);
      }
    }
    return ids;
  }

  @Test
  void tenExamplesBatchSizeFour() {
    BucketBatcher batcher = builder(3, 3, 3, 3, 3, 3, 3, 3, 3, 3).batchSize(4).build();

    assertArrayEquals(new int[] {4, 4, 2}, sizes(batcher.inOrder()), "in-order batch sizes");
    int[] shuffled = sizes(batcher.epoch(7, 0));
    Arrays.sort(shuffled);
    assertArrayEquals(new int[] {2, 4, 4}, shuffled, "epoch keeps the partial batch, no fake rows");
  }

  @Test
  void batchesPerEpochMatchesEveryEpoch() {
    BucketBatcher batcher = builder(2, 3, 3, 5, 7, 8, 8).boundaries(4, 8).tokenBudget(8).build();

    assertEquals(
        6, batcher.batchesPerEpoch(), "2 batches of up to 2 rows at length 4, 4 of 1 row at 8");
    for (int epoch = 0; epoch < 3; epoch++) {
      assertEquals(batcher.epoch(5, epoch).size(), batcher.batchesPerEpoch(), "epoch " + epoch);
    }
  }

  @Test
  void tokenBudgetNeverGivesZeroRows() {
    BucketBatcher batcher = builder(8, 2).boundaries(4, 8).tokenBudget(8).build();

    assertEquals(1, batcher.rowsPerBatch(8), "budget 8 / length 8");
    assertEquals(1, batcher.rowsPerBatch(100), "budget smaller than the length still gives 1 row");
    assertEquals(2, batcher.rowsPerBatch(4), "budget 8 / length 4");
    for (Batch batch : batcher.inOrder()) {
      assertTrue(batch.size() >= 1, "batch of length " + batch.bucketLength() + " is empty");
    }
  }

  @Test
  void rowsPaddedToBucketBoundary() {
    BucketBatcher batcher =
        builder(2, 5)
            .boundaries(3, 6)
            .batchSize(4)
            .labels(new int[] {7, 9})
            .tags(new int[][] {{1, 2}, {1, 2, 3, 4, 5}})
            .build();

    List<Batch> batches = batcher.inOrder();

    assertEquals(2, batches.size(), "one batch per bucket");
    Batch shortBatch = batches.get(0);
    assertEquals(3, shortBatch.bucketLength(), "short bucket length");
    assertArrayEquals(new int[][] {{1, 1, 0}}, shortBatch.tokens(), "tokens padded with 0");
    assertArrayEquals(new int[][] {{1, 2, 0}}, shortBatch.tags(), "tags padded with 0");
    assertArrayEquals(new int[] {7}, shortBatch.labels(), "labels");
    assertArrayEquals(new long[] {100}, shortBatch.exampleIds(), "ids");
    assertEquals(2, shortBatch.realTokens(), "real tokens");
    assertEquals(3, shortBatch.paddedSlots(), "padded slots");
    assertEquals(7.0 / 9.0, BucketBatcher.paddingEfficiency(batches), 1e-12, "efficiency");
  }

  @Test
  void labelsAndTagsNullWhenAbsent() {
    Batch batch = builder(2).batchSize(1).build().inOrder().get(0);
    assertNull(batch.labels(), "labels");
    assertNull(batch.tags(), "tags");
  }

  @Test
  void idsSurviveShufflingAndRestoreOrder() {
    int[] lengths = {5, 1, 7, 3, 2, 8, 4, 6, 1, 2, 3, 9};
    BucketBatcher batcher = builder(lengths).boundaries(2, 4, 9).batchSize(3).build();

    List<Batch> batches = batcher.epoch(42, 3);

    List<Long> seen = ids(batches);
    seen.sort(null);
    List<Long> expected = new ArrayList<>();
    for (int i = 0; i < lengths.length; i++) {
      expected.add(100L + i);
    }
    assertEquals(expected, seen, "every id exactly once after shuffling");

    // The "prediction" for a row is its first token, which is the input index + 1.
    List<List<Integer>> results = new ArrayList<>();
    List<int[]> intResults = new ArrayList<>();
    for (Batch batch : batches) {
      List<Integer> rows = new ArrayList<>();
      int[] ints = new int[batch.size()];
      for (int r = 0; r < batch.size(); r++) {
        rows.add(batch.tokens()[r][0]);
        ints[r] = batch.tokens()[r][0];
      }
      results.add(rows);
      intResults.add(ints);
    }
    List<Integer> restored = BucketBatcher.restoreOrder(batches, results);
    int[] restoredInts = BucketBatcher.restoreOrderInts(batches, intResults);
    for (int i = 0; i < lengths.length; i++) {
      assertEquals(i + 1, restored.get(i), "restored result " + i);
      assertEquals(i + 1, restoredInts[i], "restored int result " + i);
    }
  }

  @Test
  void sameSeedSameOrderNewEpochNewOrder() {
    int[] lengths = new int[40];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = 1 + i % 10;
    }
    BucketBatcher batcher = builder(lengths).boundaries(5, 10).batchSize(4).build();

    List<Long> first = ids(batcher.epoch(1, 0));
    List<Long> again = ids(batcher.epoch(1, 0));
    List<Long> nextEpoch = ids(batcher.epoch(1, 1));
    List<Long> otherSeed = ids(batcher.epoch(2, 0));

    assertEquals(first, again, "same (seed, epoch) gives the same order");
    assertNotEquals(first, nextEpoch, "a new epoch gives a new order");
    assertNotEquals(first, otherSeed, "a new seed gives a new order");
  }

  @Test
  void overflowTruncateAndSplit() {
    BucketBatcher truncating = builder(10).boundaries(4).batchSize(8).build();
    BucketBatcher splitting =
        builder(10).boundaries(2, 4).batchSize(8).overflow(Overflow.SPLIT).build();

    List<Batch> truncated = truncating.inOrder();
    assertEquals(1, truncated.size(), "one truncated row");
    assertArrayEquals(new int[] {4}, truncated.get(0).lengths(), "truncated to 4");

    List<Batch> split = splitting.inOrder();
    assertEquals(3, splitting.rowCount(), "10 tokens split into 4 + 4 + 2");
    assertEquals(2, split.get(0).bucketLength(), "remainder piece in the short bucket");
    assertArrayEquals(new int[] {4, 4}, split.get(1).lengths(), "full pieces");
    assertThrows(
        IllegalArgumentException.class,
        () -> BucketBatcher.restoreOrder(split, List.of(List.of("a"), List.of("b", "c"))),
        "split rows share an id, so restoreOrder rejects them");
  }

  @Test
  void emptyExampleRejectedWithId() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> builder(3, 0).batchSize(2).build());
    assertTrue(error.getMessage().contains("101"), "message names the id: " + error.getMessage());
  }

  @Test
  void invalidOptionsRejected() {
    assertThrows(
        IllegalArgumentException.class, () -> builder(3).build(), "neither batch size nor budget");
    assertThrows(
        IllegalArgumentException.class,
        () -> builder(3).batchSize(2).tokenBudget(8).build(),
        "both batch size and budget");
    assertThrows(
        IllegalArgumentException.class,
        () -> builder(3).boundaries(4, 4).batchSize(2).build(),
        "boundaries not strictly ascending");
  }

  @Test
  void boundariesFromQuantiles() {
    int[] lengths = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

    assertArrayEquals(
        new int[] {3, 6, 9, 12}, BucketBatcher.deriveBoundaries(lengths, 4), "quartiles");
    assertArrayEquals(new int[] {12}, BucketBatcher.deriveBoundaries(lengths, 1), "one bucket");
    assertArrayEquals(
        new int[] {5},
        BucketBatcher.deriveBoundaries(new int[] {5, 5, 5}, 3),
        "equal quantiles merged");
  }

  @Test
  void bucketingRaisesPaddingEfficiency() {
    int[] lengths = new int[64];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = 1 + (i * 7) % 32;
    }
    double single =
        BucketBatcher.paddingEfficiency(builder(lengths).batchSize(8).build().inOrder());
    double bucketed =
        BucketBatcher.paddingEfficiency(
            builder(lengths)
                .boundaries(BucketBatcher.deriveBoundaries(lengths, 4))
                .batchSize(8)
                .build()
                .inOrder());

    assertTrue(bucketed > single, "bucketed " + bucketed + " vs single bucket " + single);
  }
}
