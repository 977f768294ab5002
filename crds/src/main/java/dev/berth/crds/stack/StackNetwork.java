package dev.berth.crds.stack;

import java.util.Map;

/** A plain Docker network the stack owns (created before its containers, removed after them). */
public record StackNetwork(String name, String driver, Boolean internal, String subnet, Map<String, String> labels) {
    public StackNetwork {
        driver = driver == null ? "bridge" : driver;
        internal = internal != null && internal;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
