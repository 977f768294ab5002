package dev.berth.reconcilers.desired;

import dev.berth.crds.route.RouteSpec;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.reconcilers.route.ServiceLabels;
import dev.berth.reconcilers.route.TraefikLabels;
import dev.berth.reconcilers.schedule.Assignment;
import dev.berth.reconcilers.schedule.Handover;
import dev.berth.reconcilers.schedule.StackAssignment;
import dev.berth.reconcilers.stack.HostInfo;
import dev.berth.reconcilers.stack.PlacementRule;
import dev.berth.reconcilers.stack.StackHere;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one host should run of a stack: which replicas of each service (global services: all of them when the host
 * is eligible; replicated services: those the scheduler assigned to this host, plus those it hands over to another
 * host and keeps until they run there), and the spec with the labels of the labels-mode Routes that target its
 * services merged in (they are part of the spec hash). Pure. The operator's stack pass and {@code berth diff} both
 * derive the host's desired state here, so they cannot disagree.
 */
public final class DesiredHere {
    private DesiredHere() {
    }

    /**
     * @param spec        empty when the stack does not exist
     * @param routeLabels the labels of labels-mode Routes, per service (the operator's live view of the Routes)
     * @param assignment  the scheduler's decision for the stack, as read from etcd; empty when there is none yet,
     *                    which leaves replicated services undecided (kept as they run, nothing created)
     * @return empty when the stack does not exist or this host runs nothing of it: everything it has here goes
     */
    public static Optional<StackHere> stack(String name, Optional<StackSpec> spec, HostInfo host,
                                            ServiceLabels routeLabels, Optional<StackAssignment> assignment) {
        if (spec.isEmpty()) {
            return Optional.empty();
        }
        StackSpec stack = spec.get();
        Map<String, SortedSet<Integer>> replicas = new TreeMap<>();
        Set<String> undecided = new HashSet<>();
        for (ServiceSpec s : stack.services()) {
            var placement = s.effectivePlacement(stack.placement());
            SortedSet<Integer> numbers = new TreeSet<>();
            if (placement.global()) {
                if (PlacementRule.placedHere(placement, host)) {
                    for (int r = 1; r <= s.replicas(); r++) {
                        numbers.add(r);
                    }
                }
            } else if (assignment.isEmpty()) {
                // No decision yet: a host the placement excludes will get none of it; an eligible one keeps
                // what it runs until the scheduler says.
                if (PlacementRule.placedHere(placement, host)) {
                    undecided.add(s.name());
                }
            } else if (!mentions(assignment.get(), s.name())) {
                // The assignment predates this service (new, or switched from global): wait for the scheduler.
                if (s.replicas() > 0 && PlacementRule.placedHere(placement, host)) {
                    undecided.add(s.name());
                }
            } else {
                for (Assignment a : assignment.get().assignments()) {
                    if (a.service().equals(s.name()) && a.host().equals(host.name())) {
                        numbers.add(a.replica());
                    }
                }
                for (Handover h : assignment.get().handovers()) {
                    if (h.service().equals(s.name()) && h.from().equals(host.name())) {
                        numbers.add(h.replica());
                    }
                }
            }
            if (s.containerName() != null && numbers.size() > 1) {
                // One Docker name, one container per host. An assignment written before the Stack took its
                // containerName (a scale-down from 3 to 1 not yet scheduled) can still give this host several
                // numbers: each would be planned under the same name. Keep the lowest; the others go as scaled down.
                numbers = new TreeSet<>(Set.of(numbers.first()));
            }
            replicas.put(s.name(), numbers);
        }
        StackHere here = new StackHere(stack, replicas, undecided);
        if (!here.runsAnything()) {
            return Optional.empty();
        }
        return Optional.of(here.withSpec(routeLabels.apply(name, stack)));
    }

    /** @param routes Routes by name, as read from etcd; only valid labels-mode Routes that target the stack count */
    public static Optional<StackHere> stack(String name, Optional<StackSpec> spec, HostInfo host, Map<String, RouteSpec> routes,
                                            Optional<StackAssignment> assignment) {
        return stack(name, spec, host, routeLabels(routes), assignment);
    }

    /** Whether the scheduler decided anything about the service: assigned, handed over or unschedulable replicas. */
    public static boolean mentions(StackAssignment assignment, String service) {
        return assignment.assignments().stream().anyMatch(a -> a.service().equals(service))
                || assignment.handovers().stream().anyMatch(h -> h.service().equals(service))
                || assignment.unschedulable().stream().anyMatch(u -> u.service().equals(service));
    }

    /** Whether any service of the stack is replicated, so the scheduler decides where it runs. */
    public static boolean scheduled(StackSpec spec) {
        return spec.services().stream().anyMatch(s -> !s.effectivePlacement(spec.placement()).global());
    }

    /** The labels each service gets from these Routes (kv-mode Routes and Routes to other stacks give none). */
    public static ServiceLabels routeLabels(Map<String, RouteSpec> routes) {
        Map<String, RouteSpec> copy = Map.copyOf(routes);
        return (stack, spec, service) -> TraefikLabels.forService(stack, spec, service, copy);
    }
}
