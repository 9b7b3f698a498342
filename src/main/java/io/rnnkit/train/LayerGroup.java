package io.rnnkit.train;

import java.util.List;

/**
 * Variables that train together with one learning rate and one on/off switch, such as one encoder
 * layer in discriminative fine-tuning.
 *
 * @param name op-name-safe group name, for example {@code lstm_1}; it names the group's step
 *     counter {@code optimizer_group_steps/<name>/step}
 * @param prefixes variable-name prefixes of the group, for example {@code ["lstm_1/"]}
 */
public record LayerGroup(String name, List<String> prefixes) {

  public LayerGroup {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]*")) {
      throw new IllegalArgumentException(
          "group name must be a valid op name (letters, digits, _ . -), got " + name);
    }
    if (prefixes == null || prefixes.isEmpty()) {
      throw new IllegalArgumentException("group " + name + " must have at least one prefix");
    }
    prefixes = List.copyOf(prefixes);
  }

  /** Returns whether variable {@code variableName} belongs to this group. */
  public boolean contains(String variableName) {
    return prefixes.stream().anyMatch(variableName::startsWith);
  }
}
