package dev.berth.reconcilers.docker;

import java.util.Map;

/**
 * A network as Docker lists it. {@code gateway}: its IPAM gateway address (for a Berth Network's Docker network,
 * this host's address on the Network, where the operator answers names), null when Docker names none.
 */
public record ObservedNetwork(String id, String name, Map<String, String> labels, String gateway) {
    public ObservedNetwork {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    public ObservedNetwork(String id, String name, Map<String, String> labels) {
        this(id, name, labels, null);
    }
}
