package dev.berth.operator.waiting;

import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.reconcilers.schedule.StackAssignment;
import dev.berth.reconcilers.stack.HostInfo;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a wait decides from, read from etcd at one moment: the stack's desired object (empty when it is gone),
 * every host's status of it, the live hosts (their records are on their operators' leases) and the scheduler's
 * assignment. Pure data: {@link StackReadiness} decides, {@link StackSnapshots} reads.
 */
public record StackSnapshot(String name, Optional<Desired> desired, Map<String, ObjectStatus> statuses,
                            Map<String, HostInfo> liveHosts, Optional<StackAssignment> assignment) {
    public StackSnapshot {
        statuses = Map.copyOf(statuses);
        liveHosts = Map.copyOf(liveHosts);
    }

    /**
     * The stored stack: its mod revision (what a host's {@code observedRevision} must reach) and its spec, or why the
     * stored text is not a valid stack.
     */
    public record Desired(long revision, Optional<StackSpec> spec, String invalid) {
    }
}
