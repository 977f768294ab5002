package dev.berth.reconcilers.docker;

import java.util.Map;

/** A network as Docker lists it. */
public record ObservedNetwork(String id, String name, Map<String, String> labels) {
    public ObservedNetwork {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
