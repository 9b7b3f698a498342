package io.rnnkit.train;

import io.rnnkit.data.BucketBatcher.Batch;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/** A training pass over padded batches of independent sentences, in a fixed order. */
final class BatchPass extends CountingPass {
  private final List<Batch> batches;
  private final ToDoubleFunction<Batch> update;
  private final ToLongFunction<Batch> weight;

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
    super(batches.size(), maxUpdates);
    this.batches = batches;
    this.update = update;
    this.weight = weight;
  }

  @Override
  public double next() {
    Batch batch = batches.get(position());
    double loss = update.applyAsDouble(batch);
    advance(batch.realTokens());
    if (Double.isFinite(loss)) {
      long w = weight.applyAsLong(batch);
      addLoss(loss * w, w);
    }
    return loss;
  }

  @Override
  public PassPosition snapshot() {
    return snapshotWith(null);
  }

  @Override
  public void restore(PassPosition saved) {
    if (saved.position() > size()) {
      throw new IllegalArgumentException(
          "the saved position "
              + saved.position()
              + " is past the "
              + size()
              + " batches of this epoch; resume with the data and batch size of the saved run");
    }
    restoreCounts(saved);
  }
}
