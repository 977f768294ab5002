package dev.berth.reconcilers.schedule;

import dev.berth.reconcilers.stack.HostInfo;
import java.util.Map;
import java.util.Objects;

/**
 * A live host the scheduler may use. {@code capacity} null means unknown (a host record from before capacity was
 * reported): such a host takes reservations unchecked rather than leaving replicas pending during an upgrade.
 * A cordoned host keeps what it runs and gets nothing new.
 */
public record Candidate(String name, Map<String, String> labels, boolean cordoned, Capacity capacity) {
    public Candidate {
        Objects.requireNonNull(name, "name");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** The host as placement rules see it. */
    public HostInfo hostInfo() {
        return new HostInfo(name, labels);
    }
}
