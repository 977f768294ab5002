package dev.berth.reconcilers.schedule;

import java.util.List;
import java.util.Objects;

/**
 * What the scheduler decided for one replicated stack, stored as JSON at {@code <root>/v1/assignments/stack/<name>}
 * and written only by the scheduler leader.
 *
 * @param stackRevision the stack's etcd mod revision this was planned from
 * @param assignments   which replica of which service runs on which host (service names as in the spec)
 * @param handovers     replicas moving between hosts: the old host keeps its container until the new one runs it
 * @param unschedulable replicas no live host could take, with each host's reason
 * @param unavailable   replicas of {@code failover: false} services kept on a host that is down
 * @param updated       when this was written (ISO-8601)
 */
public record StackAssignment(String stack, long stackRevision, List<Assignment> assignments, List<Handover> handovers,
                              List<Unschedulable> unschedulable, List<Assignment> unavailable, String updated) {
    public StackAssignment {
        Objects.requireNonNull(stack, "stack");
        assignments = assignments == null ? List.of() : List.copyOf(assignments);
        handovers = handovers == null ? List.of() : List.copyOf(handovers);
        unschedulable = unschedulable == null ? List.of() : List.copyOf(unschedulable);
        unavailable = unavailable == null ? List.of() : List.copyOf(unavailable);
    }

    /** The same decision, ignoring when it was written and from which revision: whether a write changes anything. */
    public boolean sameDecision(StackAssignment other) {
        return other != null && stack.equals(other.stack) && assignments.equals(other.assignments)
                && handovers.equals(other.handovers) && unschedulable.equals(other.unschedulable)
                && unavailable.equals(other.unavailable);
    }
}
