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

/** The observed objects grouped by owner label ("stack/web"), and which owners a new list changed. */
final class OwnerIndex {
    private volatile Map<String, ObservedStack> byOwner = Map.of();

    ObservedStack forOwner(String owner) {
        return byOwner.getOrDefault(owner, new ObservedStack(List.of(), List.of()));
    }

    Set<String> owners() {
        return byOwner.keySet();
    }

    /** Replaces the view with this list; returns the owners whose objects appeared, went or differ. */
    Set<String> replace(List<ObservedContainer> containers, List<ObservedNetwork> networks) {
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
        Map<String, ObservedStack> previous = byOwner;
        byOwner = Map.copyOf(fresh);
        Set<String> changed = new HashSet<>(previous.keySet());
        changed.addAll(fresh.keySet());
        changed.removeIf(owner -> Objects.equals(previous.get(owner), fresh.get(owner)));
        return changed;
    }
}
