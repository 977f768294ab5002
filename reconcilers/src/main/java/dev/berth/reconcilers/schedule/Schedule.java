package dev.berth.reconcilers.schedule;

import java.util.List;

/** A plan's result, each list ordered by service then replica number. */
public record Schedule(List<Assignment> assignments, List<Unschedulable> unschedulable) {
    public Schedule {
        assignments = List.copyOf(assignments);
        unschedulable = List.copyOf(unschedulable);
    }

    public List<Assignment> assignmentsOf(String service) {
        return assignments.stream().filter(a -> a.service().equals(service)).toList();
    }

    public long countOn(String service, String host) {
        return assignments.stream().filter(a -> a.service().equals(service) && a.host().equals(host)).count();
    }
}
