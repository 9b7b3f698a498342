package io.rnnkit.train;

/**
 * Position of a {@link TrainingPass} inside its epoch.
 *
 * @param position updates run
 * @param lossSum sum of loss times weight over the applied updates
 * @param lossWeight sum of the weights (tokens or rows) of the applied updates
 * @param tokens real tokens read
 * @param carriedState recurrent state carried into the next window, {@code [parts][lanes][H]}, for
 *     a truncated-BPTT pass; null for passes over independent sentences
 */
public record PassPosition(
    int position, double lossSum, double lossWeight, long tokens, float[][][] carriedState) {}
