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
import java.util.function.Function;

/**
 * What the other stacks' assigned replicas reserve on each host, so one stack is planned against what is left.
 * Pure over its inputs: each stack's spec and assignment as the informers hold them.
 */
final class ReservedElsewhere {
    /** CPU millicores and memory bytes reserved on one host. */
    record Reserved(long cpuMillis, long memoryBytes) {
        Reserved plus(Reservation r) {
            return new Reserved(cpuMillis + r.cpuMillis(), memoryBytes + r.memoryBytes());
        }
    }

    private ReservedElsewhere() {
    }

    static Map<String, Reserved> byHost(String except, Iterable<String> stacks,
                                        Function<String, Optional<StackSpec>> specs,
                                        Function<String, Optional<StackAssignment>> assignments) {
        Map<String, Reserved> byHost = new HashMap<>();
        for (String stack : stacks) {
            if (stack.equals(except)) {
                continue;
            }
            Optional<StackSpec> spec = specs.apply(stack);
            Optional<StackAssignment> assignment = assignments.apply(stack);
            if (spec.isEmpty() || assignment.isEmpty()) {
                continue;
            }
            Map<String, Reservation> perService = new HashMap<>();
            try {
                for (ServiceDemand d : StackDemands.of(spec.get())) {
                    if (d.reservation() != null) {
                        perService.put(d.service(), d.reservation());
                    }
                }
            } catch (IllegalArgumentException e) {
                continue;
            }
            for (Assignment a : assignment.get().assignments()) {
                Reservation r = perService.get(a.service());
                if (r != null) {
                    byHost.merge(a.host(), new Reserved(0, 0).plus(r),
                            (x, y) -> new Reserved(x.cpuMillis() + y.cpuMillis(), x.memoryBytes() + y.memoryBytes()));
                }
            }
        }
        return byHost;
    }
}
