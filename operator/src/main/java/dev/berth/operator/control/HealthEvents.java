package dev.berth.operator.control;

import dev.berth.crds.ObjectKey;
import dev.berth.operator.events.EventRecorder;
import dev.berth.reconcilers.docker.ListedContainer;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.labels.BerthLabels;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Unhealthy events from the observed cache's container lists: Docker's health_status events make the cache list
 * again, and a container whose health turned unhealthy since the last list (or that is unhealthy when first seen) is
 * one Warning on its owner. Runs on the cache's thread, so it needs no lock.
 */
public final class HealthEvents {
    private static final String UNHEALTHY = "unhealthy";

    private final EventRecorder events;
    /** The health each listed container had at the last list, by id. */
    private final Map<String, String> health = new HashMap<>();

    public HealthEvents(EventRecorder events) {
        this.events = events;
    }

    public void listed(List<ListedContainer> containers, java.time.Instant at) {
        Set<String> present = new HashSet<>();
        for (ListedContainer listed : containers) {
            ObservedContainer c = listed.container();
            present.add(c.id());
            String before = health.put(c.id(), c.health());
            if (UNHEALTHY.equals(c.health()) && !UNHEALTHY.equals(before)) {
                ObjectKey.tryParse(c.labels().get(BerthLabels.OWNER)).ifPresent(owner -> events.warning(owner.kind(),
                        owner.name(), "Unhealthy", "container " + c.name() + " is unhealthy (its health check fails)"));
            }
        }
        health.keySet().retainAll(present);
    }
}
