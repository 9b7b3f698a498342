package io.rnnkit.importer;

import io.rnnkit.checkpoint.NamedTensor;
import java.util.List;

/**
 * A tensor of the rnnkit checkpoint, with the source keys it was computed from.
 *
 * @param value the tensor, named by its rnnkit variable name
 * @param sourceKeys the checkpoint keys it was computed from
 * @param transformation the layout conversion applied, for the import report
 */
public record TargetTensor(NamedTensor value, List<String> sourceKeys, String transformation) {
  public TargetTensor {
    sourceKeys = List.copyOf(sourceKeys);
  }

  /** Returns the rnnkit variable name. */
  public String name() {
    return value.name();
  }
}
