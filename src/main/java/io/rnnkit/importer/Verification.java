package io.rnnkit.importer;

/**
 * The outcome of comparing a SavedModel with its rnnkit rebuild on one random batch.
 *
 * @param inputName the signature input fed
 * @param inputShape the shape of the random batch
 * @param outputName the signature output compared
 * @param maxDifference the largest absolute difference over all output elements
 * @param maxMagnitude the largest absolute value of the SavedModel's output, for scale
 * @param count the number of output elements compared
 */
public record Verification(
    String inputName,
    long[] inputShape,
    String outputName,
    double maxDifference,
    double maxMagnitude,
    int count) {}
