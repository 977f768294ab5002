package dev.berth.operator.cache;

import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.docker.ObservedNetwork;
import dev.berth.reconcilers.labels.BerthLabels;
import dev.berth.reconcilers.stack.ObservedStack;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The observed objects grouped by owner label ("stack/web"), and which owners a new list changed. The view and the
 * time of the list it was made from are published together (one snapshot): whoever learns that a list began after
 * its action reads that list's view or a later one, never the one before (read-your-writes, see
 * ObservedExpectations).
 */
final class OwnerIndex {
    /** One list's view and when it (the older of its kinds) began, as System.nanoTime(). */
    private record Snapshot(Map<String, ObservedStack> byOwner, long listedSince) {
    }

    private volatile Snapshot snapshot = new Snapshot(Map.of(), System.nanoTime() - TimeUnit.DAYS.toNanos(1));

    ObservedStack forOwner(String owner) {
        return snapshot.byOwner().getOrDefault(owner, new ObservedStack(List.of(), List.of()));
    }

    Set<String> owners() {
        return snapshot.byOwner().keySet();
    }

    /** Whether the view shows a list that began after {@code nanoTime} (a System.nanoTime() value); any thread. */
    boolean listedAfter(long nanoTime) {
        return snapshot.listedSince() - nanoTime > 0;
    }

    /**
     * Replaces the view with this list; returns the owners whose objects appeared, went or differ.
     *
     * @param listedSince when the list began (the older of its kinds), as System.nanoTime()
     */
    Set<String> replace(List<ObservedContainer> containers, List<ObservedNetwork> networks, long listedSince) {
        Map<String, List<ObservedContainer>> c = new HashMap<>();
        Map<String, List<ObservedNetwork>> n = new HashMap<>();
        for (ObservedContainer container : containers) {
            String owner = container.labels().get(BerthLabels.OWNER);
            if (owner != null) {
                c.computeIfAbsent(owner, k -> new ArrayList<>()).add(container);
            }
        }
        for (ObservedNetwork network : networks) {
            String owner = network.labels().get(BerthLabels.OWNER);
            if (owner != null) {
                n.computeIfAbsent(owner, k -> new ArrayList<>()).add(network);
            }
        }
        Map<String, ObservedStack> fresh = new HashMap<>();
        Set<String> owners = new HashSet<>(c.keySet());
        owners.addAll(n.keySet());
        for (String owner : owners) {
            fresh.put(owner, new ObservedStack(c.getOrDefault(owner, List.of()), n.getOrDefault(owner, List.of())));
        }
        Map<String, ObservedStack> previous = snapshot.byOwner();
        snapshot = new Snapshot(Map.copyOf(fresh), listedSince);
        Set<String> changed = new HashSet<>(previous.keySet());
        changed.addAll(fresh.keySet());
        changed.removeIf(owner -> Objects.equals(previous.get(owner), fresh.get(owner)));
        return changed;
    }
}
