package io.rnnkit.importer;

/** The kind of file an import reads. */
public enum SourceFormat {
  /** A name-based checkpoint written by TF1 {@code tf.train.Saver}: keys are variable names. */
  TF1_CHECKPOINT,
  /** An object-based checkpoint ({@code tf.train.Checkpoint}, Keras {@code save_weights}). */
  TF2_CHECKPOINT,
  /** A SavedModel directory, whose weights are the bundle {@code variables/variables}. */
  SAVED_MODEL
}
