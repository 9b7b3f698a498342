package io.rnnkit.transfer;

/** Policy of which layer groups train in each epoch, from the head down to the embedding. */
public enum Unfreezing {
  /** Every group trains from the first epoch. */
  NONE,
  /** Only the head trains; the embedding and the encoder stay frozen throughout. */
  HEAD_ONLY,
  /**
   * Gradual unfreezing of ULMFiT: epoch 0 trains the head only, and each later epoch unfreezes one
   * more group from the top down, until every group trains.
   */
  GRADUAL;

  /**
   * Returns whether each of {@code groups} groups (bottom first, head last) trains in {@code
   * epoch}.
   */
  public boolean[] enabled(int groups, int epoch) {
    boolean[] enabled = new boolean[groups];
    for (int g = 0; g < groups; g++) {
      int fromTop = groups - 1 - g;
      enabled[g] =
          switch (this) {
            case NONE -> true;
            case HEAD_ONLY -> fromTop == 0;
            case GRADUAL -> fromTop <= epoch;
          };
    }
    return enabled;
  }

  /**
   * Checks that a run of {@code epochs} epochs trains every one of {@code groups} groups for at
   * least one epoch. Under {@link #GRADUAL} the bottom group first trains in epoch {@code groups -
   * 1} (counting from 0), so a shorter run leaves the embedding, and perhaps more, at its
   * pretrained values. {@link #HEAD_ONLY} freezes the lower groups on purpose, so it passes.
   *
   * @throws IllegalArgumentException if {@code epochs} is too small for the policy
   */
  public void requireEveryGroupTrains(int groups, int epochs) {
    if (this == GRADUAL && epochs < groups) {
      throw new IllegalArgumentException(
          "epochs must be at least "
              + groups
              + " for GRADUAL unfreezing of "
              + groups
              + " layer groups, because the bottom group first trains in epoch "
              + groups
              + "; got "
              + epochs
              + ". Train for more epochs or use NONE");
    }
  }
}
