package dev.berth.reconcilers.stack;

import java.util.Map;
import java.util.Objects;

/** The host an operator runs on, as placement rules see it. */
public record HostInfo(String name, Map<String, String> labels) {
    public HostInfo {
        Objects.requireNonNull(name, "name");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
