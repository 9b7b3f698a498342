/**
 * Task networks built from a {@link io.rnnkit.config.ModelConfig}: a token embedding and a
 * recurrent encoder shared by every task, with a head per task (next-token softmax for language
 * models, pooled softmax for classifiers).
 *
 * <p>Variable scopes: {@code embedding}, the encoder's layers ({@code lstm}, {@code lstm_1}, ...),
 * {@code lm_head} and {@code classifier_head}. Transfer between tasks copies every variable that
 * two models share by name and shape.
 */
package io.rnnkit.model;
