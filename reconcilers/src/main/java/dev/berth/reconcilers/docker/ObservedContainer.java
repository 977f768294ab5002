package dev.berth.reconcilers.docker;

import java.util.Map;

/**
 * A container as Docker lists it. {@code state}: created, running, paused, restarting, exited, dead, removing;
 * {@code health}: healthy, unhealthy, starting, or null when the container has no health check. {@code image} is the
 * reference it was created from and {@code imageId} the local image id, both from the list call; {@code run} is what
 * only an inspect tells (restart count, start time, last exit code), null where nobody inspected it (planners never
 * need it; the observed cache fills it for status).
 */
public record ObservedContainer(String id, String name, Map<String, String> labels, String state, String health,
                                long created, String image, String imageId, ContainerRun run) {
    public ObservedContainer {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** Without image and run details, for tests and planners that do not care. */
    public ObservedContainer(String id, String name, Map<String, String> labels, String state, String health,
                             long created) {
        this(id, name, labels, state, health, created, null, null, null);
    }

    /** Without a creation time (epoch seconds), for tests that do not care. */
    public ObservedContainer(String id, String name, Map<String, String> labels, String state, String health) {
        this(id, name, labels, state, health, 0);
    }

    public ObservedContainer withRun(ContainerRun value) {
        return new ObservedContainer(id, name, labels, state, health, created, image, imageId, value);
    }

    public boolean healthy() {
        return "healthy".equals(health);
    }

    public boolean running() {
        return "running".equals(state);
    }
}
