package io.rnnkit.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups token-id sequences of similar length into padded batches, so that a recurrent model spends
 * less work on padding.
 *
 * <p>Each sequence goes to the first bucket whose boundary (upper length edge) is at least its
 * length, and is padded with {@link Vocabulary#PAD_ID} to that boundary, which is the batch's
 * {@link Batch#bucketLength()}. A sequence longer than the largest boundary is handled by the
 * {@link Overflow} policy. Rows per batch are either a fixed batch size or {@code max(1,
 * tokenBudget / bucketLength)}, so a batch never has 0 rows. The last batch of a bucket keeps the
 * remaining rows and is never filled with made-up rows.
 *
 * <p>Sequences of length 0 are rejected with an error naming the example id, because they have no
 * last state to classify and would silently distort loss averages. Example ids must be unique.
 *
 * <p>Instances are immutable once built; {@link #epoch} and {@link #inOrder} return new lists.
 */
public final class BucketBatcher {
  private static final Logger LOG = LoggerFactory.getLogger(BucketBatcher.class);

  /** Policy for a sequence longer than the largest bucket boundary. */
  public enum Overflow {
    /** Keep the first {@code maxBoundary} tokens (and tags) and drop the rest. */
    TRUNCATE,
    /**
     * Cut the sequence into pieces of {@code maxBoundary} tokens, the last one shorter. Each piece
     * is a row of its own with the example's id and label, so {@link #restoreOrder} rejects the
     * result.
     */
    SPLIT
  }

  /**
   * One padded batch.
   *
   * @param bucketLength padded length of every row: the bucket's boundary
   * @param tokens token ids, {@code [size][bucketLength]}, padded with {@link Vocabulary#PAD_ID}
   * @param lengths true length of each row, from 1 to {@code bucketLength}
   * @param labels label of each row, or null when the batcher has no labels
   * @param tags tag ids, {@code [size][bucketLength]}, padded with 0, or null when the batcher has
   *     no tags
   * @param exampleIds id of the example each row comes from
   */
  public record Batch(
      int bucketLength,
      int[][] tokens,
      int[] lengths,
      int[] labels,
      int[][] tags,
      long[] exampleIds) {

    /** Returns the number of rows. */
    public int size() {
      return lengths.length;
    }

    /** Returns the number of real (non-padding) tokens. */
    public int realTokens() {
      int sum = 0;
      for (int length : lengths) {
        sum += length;
      }
      return sum;
    }

    /** Returns the number of token slots, padding included: {@code size() * bucketLength}. */
    public int paddedSlots() {
      return size() * bucketLength;
    }
  }

  /** A sequence after the overflow policy, with everything needed to build its row. */
  private record Row(long exampleId, int[] tokens, int label, int[] tags) {}

  private final int[] boundaries;
  private final int batchSize;
  private final int tokenBudget;
  private final boolean hasLabels;
  private final boolean hasTags;
  private final List<List<Row>> buckets;

  private BucketBatcher(Builder builder) {
    this.boundaries = builder.boundaries;
    this.batchSize = builder.batchSize;
    this.tokenBudget = builder.tokenBudget;
    this.hasLabels = builder.labels != null;
    this.hasTags = builder.tags != null;
    this.buckets = assignBuckets(builder);
  }

  /**
   * Starts a batcher for {@code sequences}, where {@code sequences[i]} belongs to example {@code
   * exampleIds[i]}. The arrays are not copied, so do not change them before {@link
   * Builder#build()}.
   */
  public static Builder builder(long[] exampleIds, int[][] sequences) {
    return new Builder(exampleIds, sequences);
  }

  /** Options of a {@link BucketBatcher}; set a batch size or a token budget, then build. */
  public static final class Builder {
    private final long[] exampleIds;
    private final int[][] sequences;
    private int[] labels;
    private int[][] tags;
    private int[] boundaries;
    private int batchSize;
    private int tokenBudget;
    private Overflow overflow = Overflow.TRUNCATE;

    private Builder(long[] exampleIds, int[][] sequences) {
      this.exampleIds = Objects.requireNonNull(exampleIds, "exampleIds");
      this.sequences = Objects.requireNonNull(sequences, "sequences");
    }

    /** Sets one label per sequence, such as a class id. */
    public Builder labels(int[] labels) {
      this.labels = Objects.requireNonNull(labels, "labels");
      return this;
    }

    /** Sets one tag-id array per sequence, each as long as its sequence. */
    public Builder tags(int[][] tags) {
      this.tags = Objects.requireNonNull(tags, "tags");
      return this;
    }

    /**
     * Sets the bucket boundaries: positive and strictly ascending upper length edges. Without this
     * call there is one bucket as long as the longest sequence, which means no bucketing.
     */
    public Builder boundaries(int... boundaries) {
      this.boundaries = boundaries.clone();
      return this;
    }

    /** Sets a fixed number of rows per batch. */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Sets a token budget per batch instead of a fixed batch size: a bucket of length {@code L}
     * gets {@code max(1, tokenBudget / L)} rows.
     */
    public Builder tokenBudget(int tokenBudget) {
      if (tokenBudget < 1) {
        throw new IllegalArgumentException("tokenBudget must be at least 1, got " + tokenBudget);
      }
      this.tokenBudget = tokenBudget;
      return this;
    }

    /** Sets the policy for sequences longer than the largest boundary; the default truncates. */
    public Builder overflow(Overflow overflow) {
      this.overflow = Objects.requireNonNull(overflow, "overflow");
      return this;
    }

    /**
     * Validates the options and assigns every sequence to its bucket.
     *
     * @throws IllegalArgumentException if there are no sequences, array sizes differ, an example id
     *     repeats, or a sequence is empty. Also if a tag array differs in length from its sequence,
     *     the boundaries are not positive and strictly ascending, or not exactly one of batch size
     *     and token budget is set.
     */
    public BucketBatcher build() {
      int count = sequences.length;
      if (count == 0) {
        throw new IllegalArgumentException("No sequences to batch");
      }
      if (exampleIds.length != count) {
        throw new IllegalArgumentException(
            exampleIds.length + " example ids for " + count + " sequences; pass one id each");
      }
      if (labels != null && labels.length != count) {
        throw new IllegalArgumentException(
            labels.length + " labels for " + count + " sequences; pass one label each");
      }
      if (tags != null && tags.length != count) {
        throw new IllegalArgumentException(
            tags.length + " tag arrays for " + count + " sequences; pass one array each");
      }
      if ((batchSize > 0) == (tokenBudget > 0)) {
        throw new IllegalArgumentException("Set exactly one of batchSize and tokenBudget");
      }

      Set<Long> seen = new HashSet<>();
      int maxLength = 0;
      for (int i = 0; i < count; i++) {
        long id = exampleIds[i];
        if (!seen.add(id)) {
          throw new IllegalArgumentException("Example id " + id + " appears more than once");
        }
        int length = Objects.requireNonNull(sequences[i], "sequence of example " + id).length;
        if (length == 0) {
          throw new IllegalArgumentException(
              "Example " + id + " has no tokens; remove empty examples before batching");
        }
        if (tags != null && tags[i].length != length) {
          throw new IllegalArgumentException(
              "Example " + id + " has " + length + " tokens but " + tags[i].length + " tags");
        }
        maxLength = Math.max(maxLength, length);
      }

      if (boundaries == null) {
        boundaries = new int[] {maxLength};
      }
      if (boundaries.length == 0) {
        throw new IllegalArgumentException("At least one bucket boundary is required");
      }
      for (int i = 0; i < boundaries.length; i++) {
        if (boundaries[i] < 1 || (i > 0 && boundaries[i] <= boundaries[i - 1])) {
          throw new IllegalArgumentException(
              "Bucket boundaries must be positive and strictly ascending, got "
                  + Arrays.toString(boundaries));
        }
      }
      return new BucketBatcher(this);
    }
  }

  private static List<List<Row>> assignBuckets(Builder builder) {
    int[] boundaries = builder.boundaries;
    int maxBoundary = boundaries[boundaries.length - 1];
    List<List<Row>> buckets = new ArrayList<>();
    for (int i = 0; i < boundaries.length; i++) {
      buckets.add(new ArrayList<>());
    }

    int overflowCount = 0;
    for (int i = 0; i < builder.sequences.length; i++) {
      int[] tokens = builder.sequences[i];
      int[] tags = builder.tags == null ? null : builder.tags[i];
      int label = builder.labels == null ? 0 : builder.labels[i];
      long id = builder.exampleIds[i];
      if (tokens.length > maxBoundary) {
        overflowCount++;
      }
      int pieceCount = builder.overflow == Overflow.SPLIT ? ceilDiv(tokens.length, maxBoundary) : 1;
      for (int piece = 0; piece < pieceCount; piece++) {
        int from = piece * maxBoundary;
        int to = Math.min(tokens.length, from + maxBoundary);
        int[] pieceTokens = Arrays.copyOfRange(tokens, from, to);
        int[] pieceTags = tags == null ? null : Arrays.copyOfRange(tags, from, to);
        buckets
            .get(bucketIndex(boundaries, pieceTokens.length))
            .add(new Row(id, pieceTokens, label, pieceTags));
      }
    }
    if (overflowCount > 0) {
      LOG.warn(
          "{} of {} examples are longer than the largest bucket boundary {}; policy {}",
          overflowCount,
          builder.sequences.length,
          maxBoundary,
          builder.overflow);
    }
    return buckets;
  }

  private static int bucketIndex(int[] boundaries, int length) {
    for (int b = 0; b < boundaries.length; b++) {
      if (length <= boundaries[b]) {
        return b;
      }
    }
    throw new IllegalStateException("Length " + length + " exceeds the largest boundary");
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  /**
   * Derives bucket boundaries from length quantiles: boundary {@code k} (1-based) is the length at
   * quantile {@code k / numBuckets}, so buckets hold about equal numbers of sequences. Equal
   * quantiles are merged, so the result may have fewer than {@code numBuckets} entries. The last
   * boundary is always the maximum length.
   *
   * @throws IllegalArgumentException if {@code lengths} is empty or contains a value below 1, or
   *     {@code numBuckets < 1}
   */
  public static int[] deriveBoundaries(int[] lengths, int numBuckets) {
    if (lengths.length == 0) {
      throw new IllegalArgumentException("Cannot derive bucket boundaries from no lengths");
    }
    if (numBuckets < 1) {
      throw new IllegalArgumentException("numBuckets must be at least 1, got " + numBuckets);
    }
    int[] sorted = lengths.clone();
    Arrays.sort(sorted);
    if (sorted[0] < 1) {
      throw new IllegalArgumentException("Sequence lengths must be at least 1, found " + sorted[0]);
    }
    List<Integer> result = new ArrayList<>();
    int n = sorted.length;
    for (int k = 1; k <= numBuckets; k++) {
      int index = (int) Math.ceil((double) k * n / numBuckets) - 1;
      int value = sorted[Math.max(0, index)];
      if (result.isEmpty() || value > result.get(result.size() - 1)) {
        result.add(value);
      }
    }
    return result.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Returns a copy of the bucket boundaries. */
  public int[] boundaries() {
    return boundaries.clone();
  }

  /** Returns the number of rows a batch of bucket length {@code bucketLength} gets. */
  public int rowsPerBatch(int bucketLength) {
    return batchSize > 0 ? batchSize : Math.max(1, tokenBudget / bucketLength);
  }

  /** Returns the number of rows over all buckets; more than the examples when SPLIT cut some. */
  public int rowCount() {
    int count = 0;
    for (List<Row> bucket : buckets) {
      count += bucket.size();
    }
    return count;
  }

  /** Returns the number of batches of every epoch, which the shuffles do not change. */
  public int batchesPerEpoch() {
    int count = 0;
    for (int b = 0; b < buckets.size(); b++) {
      int rowsPerBatch = rowsPerBatch(boundaries[b]);
      count += (buckets.get(b).size() + rowsPerBatch - 1) / rowsPerBatch;
    }
    return count;
  }

  /**
   * Returns the batches of one training epoch.
   *
   * <p>Rows are shuffled inside each bucket, cut into batches, and the batch order is shuffled
   * across buckets. The same {@code (seed, epoch)} always gives the same batches, and a different
   * epoch gives a different order.
   */
  public List<Batch> epoch(long seed, int epoch) {
    SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1L)));
    List<Batch> batches = new ArrayList<>();
    for (int b = 0; b < buckets.size(); b++) {
      List<Row> rows = new ArrayList<>(buckets.get(b));
      for (int i = rows.size() - 1; i > 0; i--) {
        Collections.swap(rows, i, random.nextInt(i + 1));
      }
      cut(rows, boundaries[b], batches);
    }
    for (int i = batches.size() - 1; i > 0; i--) {
      Collections.swap(batches, i, random.nextInt(i + 1));
    }
    LOG.info(
        "Epoch {}: {} batches, padding efficiency {}",
        epoch,
        batches.size(),
        String.format("%.3f", paddingEfficiency(batches)));
    return batches;
  }

  /**
   * Returns batches for evaluation without shuffling: buckets in ascending length, rows in input
   * order inside each bucket.
   */
  public List<Batch> inOrder() {
    List<Batch> batches = new ArrayList<>();
    for (int b = 0; b < buckets.size(); b++) {
      cut(buckets.get(b), boundaries[b], batches);
    }
    return batches;
  }

  private void cut(List<Row> rows, int bucketLength, List<Batch> out) {
    int rowsPerBatch = rowsPerBatch(bucketLength);
    for (int from = 0; from < rows.size(); from += rowsPerBatch) {
      out.add(
          toBatch(rows.subList(from, Math.min(rows.size(), from + rowsPerBatch)), bucketLength));
    }
  }

  private Batch toBatch(List<Row> rows, int bucketLength) {
    int size = rows.size();
    int[][] tokens = new int[size][bucketLength];
    int[] lengths = new int[size];
    int[] labels = hasLabels ? new int[size] : null;
    int[][] tags = hasTags ? new int[size][bucketLength] : null;
    long[] ids = new long[size];
    for (int r = 0; r < size; r++) {
      Row row = rows.get(r);
      System.arraycopy(row.tokens(), 0, tokens[r], 0, row.tokens().length);
      lengths[r] = row.tokens().length;
      if (hasLabels) {
        labels[r] = row.label();
      }
      if (hasTags) {
        System.arraycopy(row.tags(), 0, tags[r], 0, row.tags().length);
      }
      ids[r] = row.exampleId();
    }
    return new Batch(bucketLength, tokens, lengths, labels, tags, ids);
  }

  /**
   * Returns real tokens divided by padded slots over {@code batches}: 1.0 means no padding.
   *
   * @throws IllegalArgumentException if {@code batches} is empty
   */
  public static double paddingEfficiency(List<Batch> batches) {
    if (batches.isEmpty()) {
      throw new IllegalArgumentException("Cannot compute padding efficiency of no batches");
    }
    long real = 0;
    long slots = 0;
    for (Batch batch : batches) {
      real += batch.realTokens();
      slots += batch.paddedSlots();
    }
    return (double) real / slots;
  }

  /**
   * Puts per-row results back in ascending example-id order, which is input order for ids from the
   * readers of this package.
   *
   * @param batches batches as passed to the model
   * @param perBatchResults one list per batch, in the same order, with one result per row
   * @throws IllegalArgumentException if the number of lists or of results in a list does not match
   *     the batches, or an example id occurs in more than one row (as after {@link Overflow#SPLIT})
   */
  public static <T> List<T> restoreOrder(
      List<Batch> batches, List<? extends List<? extends T>> perBatchResults) {
    if (perBatchResults.size() != batches.size()) {
      throw new IllegalArgumentException(
          perBatchResults.size() + " result lists for " + batches.size() + " batches");
    }
    List<IdResult<T>> pairs = new ArrayList<>();
    for (int b = 0; b < batches.size(); b++) {
      Batch batch = batches.get(b);
      List<? extends T> results = perBatchResults.get(b);
      if (results.size() != batch.size()) {
        throw new IllegalArgumentException(
            "Batch " + b + " has " + batch.size() + " rows but " + results.size() + " results");
      }
      for (int r = 0; r < batch.size(); r++) {
        pairs.add(new IdResult<>(batch.exampleIds()[r], results.get(r)));
      }
    }
    pairs.sort((x, y) -> Long.compare(x.id(), y.id()));

    List<T> ordered = new ArrayList<>(pairs.size());
    for (int i = 0; i < pairs.size(); i++) {
      if (i > 0 && pairs.get(i).id() == pairs.get(i - 1).id()) {
        throw new IllegalArgumentException(
            "Example id "
                + pairs.get(i).id()
                + " occurs in more than one row; results of rows cut by Overflow.SPLIT"
                + " must be combined per example before restoring the order");
      }
      ordered.add(pairs.get(i).result());
    }
    return ordered;
  }

  /**
   * Puts per-row integer results, such as predicted class ids, back in ascending example-id order;
   * see {@link #restoreOrder(List, List)}.
   */
  public static int[] restoreOrderInts(List<Batch> batches, List<int[]> perBatchResults) {
    List<List<Integer>> boxed = new ArrayList<>(perBatchResults.size());
    for (int[] results : perBatchResults) {
      boxed.add(Arrays.stream(results).boxed().toList());
    }
    List<Integer> ordered = restoreOrder(batches, boxed);
    return ordered.stream().mapToInt(Integer::intValue).toArray();
  }

  private record IdResult<T>(long id, T result) {}
}
