package dev.berth.reconcilers.schedule;

import java.util.List;

/**
 * A plan's result, each list ordered by service then replica number. {@code unavailable}: the assignments kept on
 * down hosts (replicas of {@code failover: false} services); they are also in {@code assignments}, because the
 * replica stays bound to its host and no other host may run that number.
 */
public record Schedule(List<Assignment> assignments, List<Unschedulable> unschedulable, List<Assignment> unavailable) {
    public Schedule {
        assignments = List.copyOf(assignments);
        unschedulable = List.copyOf(unschedulable);
        unavailable = List.copyOf(unavailable);
    }

    /** Nothing unavailable. */
    public Schedule(List<Assignment> assignments, List<Unschedulable> unschedulable) {
        this(assignments, unschedulable, List.of());
    }

    public List<Assignment> assignmentsOf(String service) {
        return assignments.stream().filter(a -> a.service().equals(service)).toList();
    }

    public long countOn(String service, String host) {
        return assignments.stream().filter(a -> a.service().equals(service) && a.host().equals(host)).count();
    }
}
