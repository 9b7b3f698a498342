package io.rnnkit.train;

import io.rnnkit.data.BucketBatcher.Batch;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/** A training pass over padded batches of independent sentences, in a fixed order. */
final class BatchPass implements TrainingPass {
  private final List<Batch> batches;
  private final int size;
  private final ToDoubleFunction<Batch> update;
  private final ToLongFunction<Batch> weight;
  private int position;
  private double lossSum;
  private double lossWeight;
  private long tokens;

  /**
   * @param update runs the update of one batch and returns its mean loss, not finite when the
   *     update was skipped
   * @param weight weight of a batch's mean loss in the pass mean: rows or tokens
   */
  BatchPass(
      List<Batch> batches,
      int maxUpdates,
      ToDoubleFunction<Batch> update,
      ToLongFunction<Batch> weight) {
    this.batches = batches;
    this.size = maxUpdates > 0 ? Math.min(maxUpdates, batches.size()) : batches.size();
    this.update = update;
    this.weight = weight;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int position() {
    return position;
  }

  @Override
  public double next() {
    Batch batch = batches.get(position);
    double loss = update.applyAsDouble(batch);
    position++;
    tokens += batch.realTokens();
    if (Double.isFinite(loss)) {
      long w = weight.applyAsLong(batch);
      lossSum += loss * w;
      lossWeight += w;
    }
    return loss;
  }

  @Override
  public double meanLoss() {
    return lossSum / Math.max(lossWeight, 1);
  }

  @Override
  public long tokens() {
    return tokens;
  }

  @Override
  public PassPosition snapshot() {
    return new PassPosition(position, lossSum, lossWeight, tokens, null);
  }

  @Override
  public void restore(PassPosition saved) {
    if (saved.position() > size) {
      throw new IllegalArgumentException(
          "the saved position "
              + saved.position()
              + " is past the "
              + size
              + " batches of this epoch; resume with the data and batch size of the saved run");
    }
    position = saved.position();
    lossSum = saved.lossSum();
    lossWeight = saved.lossWeight();
    tokens = saved.tokens();
  }
}
