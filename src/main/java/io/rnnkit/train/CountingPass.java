package io.rnnkit.train;

/**
 * Base of the training passes: the number of updates, the position, the tokens read and the loss
 * sums of the applied updates. A subclass runs the updates and reports each to {@link #advance} and
 * {@link #addLoss}.
 */
abstract class CountingPass implements TrainingPass {
  private final int size;
  private int position;
  private double lossSum;
  private double lossWeight;
  private long tokens;

  /** Creates a pass of {@code available} updates, cut to {@code maxUpdates} unless it is 0. */
  CountingPass(int available, int maxUpdates) {
    this.size = maxUpdates > 0 ? Math.min(maxUpdates, available) : available;
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
  public double meanLoss() {
    return lossSum / Math.max(lossWeight, 1);
  }

  @Override
  public long tokens() {
    return tokens;
  }

  /** Moves past the update just run, which read {@code updateTokens} real tokens. */
  void advance(long updateTokens) {
    position++;
    tokens += updateTokens;
  }

  /** Adds an applied update's loss {@code sum}, its mean loss times {@code weight}. */
  void addLoss(double sum, double weight) {
    lossSum += sum;
    lossWeight += weight;
  }

  /** Returns the position of this pass with {@code carriedState}, or {@code null} for none. */
  PassPosition snapshotWith(float[][][] carriedState) {
    return new PassPosition(position, lossSum, lossWeight, tokens, carriedState);
  }

  /** Sets the position, tokens and loss sums from {@code saved}, which the caller has checked. */
  void restoreCounts(PassPosition saved) {
    position = saved.position();
    lossSum = saved.lossSum();
    lossWeight = saved.lossWeight();
    tokens = saved.tokens();
  }
}
