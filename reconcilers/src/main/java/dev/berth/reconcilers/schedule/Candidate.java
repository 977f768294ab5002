package dev.berth.reconcilers.schedule;

import dev.berth.reconcilers.stack.HostInfo;
import java.util.Map;
import java.util.Objects;

/**
 * A host the scheduler may use. {@code capacity} null means unknown (a host record from before capacity was
 * reported): such a host takes reservations unchecked rather than leaving replicas pending during an upgrade.
 * A cordoned host keeps what it runs and gets nothing new; so does a host merely unreachable for less than the
 * failover grace period (the caller passes it as cordoned). {@code down}: the host has been gone longer than that
 * period; it gets nothing new and keeps only replicas of {@code failover: false} services, which wait for it
 * (host-local data) and are reported {@link Schedule#unavailable()}.
 */
public record Candidate(String name, Map<String, String> labels, boolean cordoned, Capacity capacity, boolean down) {
    public Candidate {
        Objects.requireNonNull(name, "name");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** A host that is not down. */
    public Candidate(String name, Map<String, String> labels, boolean cordoned, Capacity capacity) {
        this(name, labels, cordoned, capacity, false);
    }

    /** The host as placement rules see it. */
    public HostInfo hostInfo() {
        return new HostInfo(name, labels);
    }

    Candidate cordon() {
        return cordoned ? this : new Candidate(name, labels, true, capacity, down);
    }
}
