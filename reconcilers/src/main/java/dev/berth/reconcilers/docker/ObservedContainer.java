package dev.berth.reconcilers.docker;

import java.util.Map;

/**
 * A container as Docker lists it. {@code state}: created, running, paused, restarting, exited, dead, removing;
 * {@code health}: healthy, unhealthy, starting, or null when the container has no health check.
 */
public record ObservedContainer(String id, String name, Map<String, String> labels, String state, String health,
                                long created) {
    public ObservedContainer {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** Without a creation time (epoch seconds), for tests that do not care. */
    public ObservedContainer(String id, String name, Map<String, String> labels, String state, String health) {
        this(id, name, labels, state, health, 0);
    }

    public boolean healthy() {
        return "healthy".equals(health);
    }

    public boolean running() {
        return "running".equals(state);
    }
}
