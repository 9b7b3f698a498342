package io.rnnkit.train;

import java.util.Arrays;

/**
 * Learning rate and on/off switch of every {@link LayerGroup}, in the order of the groups given to
 * {@link ModelSession#buildGroupedUpdate}.
 */
public interface GroupSchedule {

  /**
   * Returns the learning rate of each group at update {@code step} (counting from 0 over the whole
   * run) of epoch {@code epoch} (counting from 0).
   */
  float[] rates(long step, int epoch);

  /**
   * Returns whether each group trains during epoch {@code epoch}; a disabled group stays frozen.
   */
  boolean[] enabled(int epoch);

  /** Returns a schedule that trains every one of {@code groups} groups at {@code rate}. */
  static GroupSchedule constant(float rate, int groups) {
    return new GroupSchedule() {
      @Override
      public float[] rates(long step, int epoch) {
        float[] rates = new float[groups];
        Arrays.fill(rates, rate);
        return rates;
      }

      @Override
      public boolean[] enabled(int epoch) {
        boolean[] enabled = new boolean[groups];
        Arrays.fill(enabled, true);
        return enabled;
      }
    };
  }
}
