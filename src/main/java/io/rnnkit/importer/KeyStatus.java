package io.rnnkit.importer;

/** The outcome for one source key, or one missing variable, in the import report. */
public enum KeyStatus {
  /** Converted into a tensor of the rnnkit checkpoint. */
  IMPORTED(false),
  /** Optimizer slot or optimizer-owned variable, such as {@code Adam/m} or {@code iter}. */
  OPTIMIZER(false),
  /** A scalar or non-float tensor that is not a weight, such as a global step or a metric. */
  UNUSED(false),
  /** A weight the importer does not know how to place. The import fails. */
  UNRECOGNIZED(true),
  /** A variable of the rebuilt rnnkit model that no source key fills. The import fails. */
  MISSING(true),
  /** A converted tensor whose shape differs from the rnnkit variable's. The import fails. */
  SHAPE_MISMATCH(true);

  private final boolean failure;

  KeyStatus(boolean failure) {
    this.failure = failure;
  }

  /** Returns true if a key with this status makes the import fail. */
  public boolean isFailure() {
    return failure;
  }
}
