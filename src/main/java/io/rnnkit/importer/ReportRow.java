package io.rnnkit.importer;

/**
 * One line of the import report.
 *
 * @param sourceKey the checkpoint key, or {@code -} for a missing variable
 * @param sourceShape the source tensor's shape, such as {@code [256, 512]}
 * @param target the rnnkit variable name or names, or {@code -}
 * @param status what happened to the key
 * @param detail the layout conversion applied, or why the key was not used
 */
public record ReportRow(
    String sourceKey, String sourceShape, String target, KeyStatus status, String detail) {}
