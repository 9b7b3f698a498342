/**
 * Reading TensorFlow checkpoints written by Python, and translating recurrent-cell weights into
 * rnnkit's layout.
 *
 * <p>{@link io.rnnkit.checkpoint.TensorBundleReader} reads a tensor bundle (the V2 checkpoint
 * format that {@code tf.train.Saver}, {@code tf.train.Checkpoint} and SavedModel {@code variables/}
 * all use) in pure Java, verifying every checksum. {@link io.rnnkit.checkpoint.ObjectGraphKeys}
 * maps the object-path keys of TF2 checkpoints to Keras variable names. {@link
 * io.rnnkit.checkpoint.Tf1Cells} and {@link io.rnnkit.checkpoint.CudnnCanonical} convert TF1 {@code
 * LSTMCell}/{@code GRUCell} and cuDNN weights to the Keras layout that rnnkit builds its graphs
 * with.
 */
package io.rnnkit.checkpoint;
