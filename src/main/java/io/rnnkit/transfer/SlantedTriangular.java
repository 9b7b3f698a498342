package io.rnnkit.transfer;

/**
 * Slanted triangular learning rate of ULMFiT (Howard and Ruder 2018, "Universal Language Model
 * Fine-tuning for Text Classification", equation 3): a short linear warm-up from {@code max/ratio}
 * to {@code max} over the first {@code cutFraction} of the steps, then a long linear decay back to
 * {@code max/ratio}.
 *
 * <p>With {@code cut = floor(T * cutFraction)}: {@code p = t / cut} for {@code t < cut}, else
 * {@code p = 1 - (t - cut) / (cut * (1 / cutFraction - 1))}; the rate is {@code max * (1 + p *
 * (ratio - 1)) / ratio}. Steps past {@code T} keep the final rate {@code max / ratio}.
 *
 * @param totalSteps {@code T}, the number of updates of the whole run
 * @param cutFraction fraction of the steps that warm up, in (0, 1); 0.1 in the paper
 * @param ratio how much larger the peak rate is than the lowest one, at least 1; 32 in the paper
 */
public record SlantedTriangular(long totalSteps, double cutFraction, double ratio) {

  /** ULMFiT's warm-up fraction. */
  public static final double DEFAULT_CUT_FRACTION = 0.1;

  /** ULMFiT's peak-to-lowest ratio. */
  public static final double DEFAULT_RATIO = 32;

  public SlantedTriangular {
    if (totalSteps < 1) {
      throw new IllegalArgumentException("totalSteps must be at least 1, got " + totalSteps);
    }
    if (!(cutFraction > 0 && cutFraction < 1)) {
      throw new IllegalArgumentException("cutFraction must be in (0, 1), got " + cutFraction);
    }
    if (!(ratio >= 1) || Double.isInfinite(ratio)) {
      throw new IllegalArgumentException("ratio must be at least 1 and finite, got " + ratio);
    }
  }

  /** Returns the factor in {@code [1/ratio, 1]} that multiplies the peak rate at {@code step}. */
  public double multiplier(long step) {
    long cut = Math.max(1, (long) Math.floor(totalSteps * cutFraction));
    double p;
    if (step < cut) {
      p = (double) step / cut;
    } else {
      p = 1 - (step - cut) / (cut * (1 / cutFraction - 1));
    }
    p = Math.max(0, p);
    return (1 + p * (ratio - 1)) / ratio;
  }
}
