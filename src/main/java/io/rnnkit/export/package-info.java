/**
 * SavedModel export and a Java predictor for exported models.
 *
 * <p>Exported models take words, not ids: the vocabulary and label lookups are tables inside the
 * graph, initialized by the SavedModel loader. Every signature has method name {@code
 * tensorflow/serving/predict}, and the graph has no device pins, so the same folder loads in
 * TensorFlow Serving, Python and Java, on CPU or GPU.
 */
package io.rnnkit.export;
