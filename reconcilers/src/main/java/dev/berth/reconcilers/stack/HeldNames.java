package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.ContainerPlan;
import dev.berth.reconcilers.docker.ObservedContainer;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Pure: container names Docker still holds for containers that do not run and may never go. A dockerd stopped or
 * killed in the middle of a create or remove can come back unable to remove the half-made container ("driver overlay2
 * failed to remove root filesystem: ... device or resource busy", a mount a surviving shim still holds). Docker then
 * refuses to start it ("marked for removal") and keeps its name, and its list shows it {@code removing} ("Removal In
 * Progress": the list's snapshot is the one taken when the remove began, while an inspect says {@code dead}), or
 * {@code dead} after a dockerd restart. Either way it is no replica: the replica is created under a stand-in name
 * ({@link StackNames#standIn}) instead of waiting for Docker, the container is removed again every pass
 * ({@link StackAction.RemoveLeftover}; for one Docker is still removing, that call returns at once), and once it is gone
 * the stand-in is renamed back ({@link Rollout}). An ordinary remove listed mid-way costs at most that one rename.
 */
final class HeldNames {
    /** States of a container Docker will neither run nor (for now) let go of. */
    private static final Set<String> HOLDING = Set.of("dead", "removing");
    /** How many stand-ins are tried: past that, something is badly wrong and the replica waits (and is reported). */
    static final int MAX_STAND_INS = 9;

    private HeldNames() {
    }

    static boolean holds(ObservedContainer c) {
        return HOLDING.contains(c.state());
    }

    static Set<String> of(List<ObservedContainer> containers) {
        return containers.stream().filter(HeldNames::holds).map(ObservedContainer::name).collect(Collectors.toSet());
    }

    /** The plan under its own name when Docker does not hold it, else under the first stand-in that is free. */
    static ContainerPlan place(ContainerPlan plan, Set<String> held) {
        if (!held.contains(plan.name())) {
            return plan;
        }
        for (int n = 1; n <= MAX_STAND_INS; n++) {
            String name = StackNames.standIn(plan.name(), n);
            if (!held.contains(name)) {
                return plan.withName(name);
            }
        }
        return plan; // every stand-in held: its create fails with Docker's own message, and the status says so
    }
}
