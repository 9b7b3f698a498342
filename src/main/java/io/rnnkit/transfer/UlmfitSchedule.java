package io.rnnkit.transfer;

import io.rnnkit.train.GroupSchedule;

/**
 * The fine-tuning schedule of ULMFiT (Howard and Ruder 2018): discriminative learning rates, an
 * optional slanted triangular learning rate, and unfreezing of the layer groups.
 *
 * <p>Groups are ordered bottom first and head last, as {@link LayerGroups#of} returns them. The
 * head trains at the base rate and each lower group at the rate of the group above divided by
 * {@code factor}: group {@code g} of {@code n} gets {@code rate / factor^(n-1-g)}.
 */
public final class UlmfitSchedule implements GroupSchedule {

  /** ULMFiT's ratio between the learning rates of neighbouring layer groups. */
  public static final float DEFAULT_FACTOR = 2.6f;

  private final int groups;
  private final float rate;
  private final float factor;
  private final Unfreezing unfreezing;
  private final SlantedTriangular slanted;

  /**
   * @param groups number of layer groups, at least 1
   * @param rate learning rate of the head (its peak rate under a slanted triangular schedule)
   * @param factor divisor between neighbouring groups, at least 1; 1 gives every group {@code rate}
   * @param unfreezing which groups train in which epoch
   * @param slanted slanted triangular multiplier, or {@code null} for a constant rate
   */
  public UlmfitSchedule(
      int groups, float rate, float factor, Unfreezing unfreezing, SlantedTriangular slanted) {
    if (groups < 1) {
      throw new IllegalArgumentException("groups must be at least 1, got " + groups);
    }
    if (!(rate > 0) || Float.isInfinite(rate)) {
      throw new IllegalArgumentException("rate must be positive and finite, got " + rate);
    }
    if (!(factor >= 1) || Float.isInfinite(factor)) {
      throw new IllegalArgumentException(
          "discriminative factor must be at least 1 and finite, got " + factor);
    }
    this.groups = groups;
    this.rate = rate;
    this.factor = factor;
    this.unfreezing = unfreezing;
    this.slanted = slanted;
  }

  @Override
  public float[] rates(long step, int epoch) {
    double top = slanted == null ? rate : rate * slanted.multiplier(step);
    float[] rates = new float[groups];
    for (int g = 0; g < groups; g++) {
      rates[g] = (float) (top / Math.pow(factor, groups - 1 - g));
    }
    return rates;
  }

  @Override
  public boolean[] enabled(int epoch) {
    return unfreezing.enabled(groups, epoch);
  }

  @Override
  public String toString() {
    return "ULMFiT schedule: "
        + groups
        + " groups, head rate "
        + rate
        + ", factor "
        + factor
        + ", unfreezing "
        + unfreezing
        + (slanted == null ? ", constant rate" : ", " + slanted);
  }
}
