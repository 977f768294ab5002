package dev.berth.operator.schedule;

import dev.berth.crds.stack.StackSpec;
import dev.berth.reconcilers.schedule.Assignment;
import dev.berth.reconcilers.schedule.Reservation;
import dev.berth.reconcilers.schedule.ServiceDemand;
import dev.berth.reconcilers.schedule.StackAssignment;
import dev.berth.reconcilers.schedule.StackDemands;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the other stacks' assigned replicas reserve on each host, so one stack is planned against what is left. Each
 * stack's share is computed once per (spec revision, assignment revision): planning every stack would otherwise
 * read every other stack's spec, which grows with the square of the number of stacks.
 */
final class ReservedElsewhere {
    /** CPU millicores and memory bytes reserved on one host. */
    record Reserved(long cpuMillis, long memoryBytes) {
        static final Reserved NONE = new Reserved(0, 0);

        Reserved plus(Reserved other) {
            return new Reserved(cpuMillis + other.cpuMillis, memoryBytes + other.memoryBytes);
        }
    }

    /** One stack's inputs as the informers hold them, with the revisions its share is cached under. */
    record StackInputs(long specRevision, Optional<StackSpec> spec, long assignmentRevision,
                       Optional<StackAssignment> assignment) {
    }

    private record Share(long specRevision, long assignmentRevision, Map<String, Reserved> byHost) {
    }

    private final Map<String, Share> shares = new ConcurrentHashMap<>();

    /** The sum over {@code stacks} except {@code except}, by host. */
    Map<String, Reserved> byHost(String except, Map<String, StackInputs> stacks) {
        shares.keySet().retainAll(stacks.keySet());
        Map<String, Reserved> total = new HashMap<>();
        stacks.forEach((stack, inputs) -> {
            if (!stack.equals(except)) {
                share(stack, inputs).forEach((host, reserved) -> total.merge(host, reserved, Reserved::plus));
            }
        });
        return total;
    }

    private Map<String, Reserved> share(String stack, StackInputs inputs) {
        Share known = shares.get(stack);
        if (known != null && known.specRevision() == inputs.specRevision()
                && known.assignmentRevision() == inputs.assignmentRevision()) {
            return known.byHost();
        }
        Map<String, Reserved> byHost = compute(inputs.spec(), inputs.assignment());
        shares.put(stack, new Share(inputs.specRevision(), inputs.assignmentRevision(), byHost));
        return byHost;
    }

    static Map<String, Reserved> compute(Optional<StackSpec> spec, Optional<StackAssignment> assignment) {
        if (spec.isEmpty() || assignment.isEmpty()) {
            return Map.of();
        }
        Map<String, Reservation> perService = new HashMap<>();
        try {
            for (ServiceDemand d : StackDemands.of(spec.get())) {
                if (d.reservation() != null) {
                    perService.put(d.service(), d.reservation());
                }
            }
        } catch (IllegalArgumentException e) {
            return Map.of();
        }
        Map<String, Reserved> byHost = new HashMap<>();
        for (Assignment a : assignment.get().assignments()) {
            Reservation r = perService.get(a.service());
            if (r != null) {
                byHost.merge(a.host(), new Reserved(r.cpuMillis(), r.memoryBytes()), Reserved::plus);
            }
        }
        return Map.copyOf(byHost);
    }
}
