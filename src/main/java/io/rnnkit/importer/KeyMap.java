package io.rnnkit.importer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Explicit source-key to target-name mappings, read from a text file with one {@code
 * source_key<TAB>target_name} pair per line. Blank lines and lines starting with {@code #} are
 * skipped.
 *
 * <p>A target name is a Keras-layout name {@code <layer>/<variable>} such as {@code
 * embedding/embeddings}, {@code lstm/kernel}, {@code dense_1/bias} or {@code
 * bidirectional/forward_gru/recurrent_kernel}. The layer name without its {@code _N} suffix gives
 * the layer type, the tensor must already be in the Keras layout, and layers are then renamed by
 * position as every import does.
 */
public final class KeyMap {
  private final Map<String, String> targetBySource;

  private KeyMap(Map<String, String> targetBySource) {
    this.targetBySource = Collections.unmodifiableMap(targetBySource);
  }

  /** Returns a map without entries. */
  public static KeyMap empty() {
    return new KeyMap(new LinkedHashMap<>());
  }

  /** Returns a map of the given pairs, in iteration order. */
  public static KeyMap of(Map<String, String> targetBySource) {
    return new KeyMap(new LinkedHashMap<>(targetBySource));
  }

  /**
   * Reads a map file.
   *
   * @throws IllegalArgumentException naming the file and line of a malformed or repeated entry
   */
  public static KeyMap read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--map file " + file + " not found");
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    Map<String, String> targetBySource = new LinkedHashMap<>();
    Map<String, Integer> lineByTarget = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] fields = lines.get(i).split("\t", -1);
      String where = file + ":" + (i + 1);
      if (fields.length != 2 || fields[0].isBlank() || fields[1].isBlank()) {
        throw new IllegalArgumentException(
            where + ": expected source_key<TAB>target_name, got '" + lines.get(i) + "'");
      }
      String source = fields[0].strip();
      String target = fields[1].strip();
      if (target.split("/").length < 2) {
        throw new IllegalArgumentException(
            where
                + ": target name must be <layer>/<variable> such as lstm/kernel, got '"
                + target
                + "'");
      }
      if (targetBySource.containsKey(source)) {
        throw new IllegalArgumentException(where + ": source key '" + source + "' is mapped twice");
      }
      Integer previous = lineByTarget.putIfAbsent(target, i + 1);
      if (previous != null) {
        throw new IllegalArgumentException(
            where + ": target '" + target + "' is already mapped on line " + previous);
      }
      targetBySource.put(source, target);
    }
    return new KeyMap(targetBySource);
  }

  /** Returns the target name of each mapped source key, in file order. */
  public Map<String, String> targetBySource() {
    return targetBySource;
  }
}
