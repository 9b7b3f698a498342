package io.rnnkit.transfer;

import io.rnnkit.model.Network;
import io.rnnkit.train.LayerGroup;
import java.util.ArrayList;
import java.util.List;

/** The layer groups of a network for discriminative fine-tuning. */
public final class LayerGroups {

  private LayerGroups() {}

  /**
   * Returns one group per layer, bottom first: the embedding, each recurrent layer ({@code lstm},
   * {@code lstm_1}, ... or {@code bidirectional}, ...), then the head.
   */
  public static List<LayerGroup> of(Network network) {
    List<LayerGroup> groups = new ArrayList<>();
    for (String prefix : network.encoderScopes()) {
      String name = prefix.substring(0, prefix.length() - 1);
      groups.add(new LayerGroup(name, List.of(prefix)));
    }
    groups.add(new LayerGroup(network.headScope(), network.headScopes()));
    return groups;
  }
}
