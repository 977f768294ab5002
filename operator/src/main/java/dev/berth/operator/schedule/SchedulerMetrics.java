package dev.berth.operator.schedule;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scheduler's figures: attempts by result, replicas placed and failed over, and replicas no host can take now.
 * Per-stack detail is in the assignment record and status, not in labels.
 */
public final class SchedulerMetrics {
    private final MeterRegistry registry;
    private final Counter placed;
    private final Counter failovers;
    private final Map<String, Integer> unschedulable = new ConcurrentHashMap<>();

    public SchedulerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.placed = Counter.builder("berth.scheduler.placements")
                .description("Replicas the scheduler placed on a host that did not run them before").register(registry);
        this.failovers = Counter.builder("berth.scheduler.failovers")
                .description("Replicas moved off a host that was down longer than --failover-after").register(registry);
        Gauge.builder("berth.scheduler.unschedulable.replicas", unschedulable,
                        m -> m.values().stream().mapToInt(Integer::intValue).sum())
                .description("Replicas no live host can take now, over all stacks (this operator's last plans as leader)")
                .register(registry);
        for (String result : new String[] {"written", "unchanged", "conflict", "unschedulable"}) {
            attempt(result, 0);
        }
    }

    /** One scheduling attempt of a stack: written, unchanged, conflict (someone wrote first) or unschedulable. */
    public void attempt(String result) {
        attempt(result, 1);
    }

    private void attempt(String result, int count) {
        Counter.builder("berth.scheduler.attempts").tag("result", result)
                .description("Scheduling attempts of a stack, by result").register(registry).increment(count);
    }

    public void placed(int replicas) {
        placed.increment(replicas);
    }

    public void failedOver(int replicas) {
        failovers.increment(replicas);
    }

    public void unschedulable(String stack, int replicas) {
        if (replicas == 0) {
            unschedulable.remove(stack);
        } else {
            unschedulable.put(stack, replicas);
        }
    }

    /** Leadership lost: this operator no longer knows. */
    public void clear() {
        unschedulable.clear();
    }
}
