package io.rnnkit.train;

import java.util.LinkedHashSet;
import java.util.Random;
import java.util.Set;

/**
 * Draws the classes of a sampled softmax from the log-uniform (Zipfian) distribution {@code P(k) =
 * (log(k + 2) - log(k + 1)) / log(V + 1)}, which suits vocabularies whose ids are sorted by
 * descending frequency, as {@link io.rnnkit.data.Vocabulary} sorts them. It mirrors TensorFlow's
 * {@code log_uniform_candidate_sampler} with {@code unique=True}: it draws until it has {@code S}
 * distinct classes, and the expected count of class {@code k} after {@code n} draws is {@code 1 -
 * (1 - P(k))^n}.
 */
public final class LogUniformSampler {

  private final int classes;
  private final int samples;
  private final Random random;
  private final double logRange;

  /**
   * Creates a sampler.
   *
   * @param classes {@code V}
   * @param samples {@code S}, in {@code [1, V)}
   */
  public LogUniformSampler(int classes, int samples, long seed) {
    if (classes < 2) {
      throw new IllegalArgumentException("classes must be >= 2, got " + classes);
    }
    if (samples < 1 || samples >= classes) {
      throw new IllegalArgumentException(
          "samples must be in [1, " + (classes - 1) + "], got " + samples);
    }
    this.classes = classes;
    this.samples = samples;
    this.random = new Random(seed);
    this.logRange = Math.log(classes + 1.0);
  }

  /** Returns {@code P(k)}. */
  public double probability(int k) {
    return (Math.log(k + 2.0) - Math.log(k + 1.0)) / logRange;
  }

  /** Returns {@code log(1 - (1 - P(k))^draws)}, the log expected count of {@code k}. */
  public double logExpectedCount(int k, int draws) {
    return Math.log(-Math.expm1(draws * Math.log1p(-probability(k))));
  }

  /**
   * Draws {@code S} distinct classes and the log expected counts of them and of {@code targets}.
   */
  public Sample draw(int[][] targets) {
    Set<Integer> drawn = new LinkedHashSet<>();
    int draws = 0;
    while (drawn.size() < samples) {
      int k = (int) Math.exp(random.nextDouble() * logRange) - 1;
      drawn.add(Math.min(Math.max(k, 0), classes - 1));
      draws++;
    }
    int[] ids = drawn.stream().mapToInt(Integer::intValue).toArray();
    float[] logQ = new float[ids.length];
    for (int i = 0; i < ids.length; i++) {
      logQ[i] = (float) logExpectedCount(ids[i], draws);
    }
    float[][] targetLogQ = new float[targets.length][];
    for (int row = 0; row < targets.length; row++) {
      targetLogQ[row] = new float[targets[row].length];
      for (int t = 0; t < targets[row].length; t++) {
        targetLogQ[row][t] = (float) logExpectedCount(targets[row][t], draws);
      }
    }
    return new Sample(ids, logQ, targetLogQ, draws);
  }

  /**
   * One draw.
   *
   * @param ids {@code [S]} distinct sampled classes
   * @param logQ {@code [S]} log expected count of each
   * @param targetLogQ {@code [B, T]} log expected count of each target
   * @param draws number of draws it took to find {@code S} distinct classes
   */
  public record Sample(int[] ids, float[] logQ, float[][] targetLogQ, int draws) {}
}
