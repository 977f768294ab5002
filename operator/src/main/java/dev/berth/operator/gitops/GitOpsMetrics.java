package dev.berth.operator.gitops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code berth_gitops_syncs_total{source,result}} (result: synced, outofsync, failed),
 * {@code berth_gitops_last_success_timestamp_seconds{source}},
 * {@code berth_gitops_objects{source,state}} (state: synced, outofsync, orphaned, conflict) and
 * {@code berth_gitops_self_heals_total{source}}. The only label beyond result/state is the GitSource name.
 */
final class GitOpsMetrics {
    static final List<String> STATES = List.of("synced", "outofsync", "orphaned", "conflict");

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

    GitOpsMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void sync(String source, String result) {
        Counter.builder("berth.gitops.syncs").tag("source", source).tag("result", result)
                .description("GitOps sync passes by result").register(registry).increment();
    }

    void healed(String source, int count) {
        Counter.builder("berth.gitops.self.heals").tag("source", source)
                .description("Hand edits of synced objects put back to the commit's version").register(registry)
                .increment(count);
    }

    void success(String source, long epochSeconds) {
        gauge("berth.gitops.last.success.timestamp", source, null, "seconds",
                "When the source last synced successfully (Unix time)").set(epochSeconds);
    }

    void objects(String source, Map<String, Integer> byState) {
        for (String state : STATES) {
            gauge("berth.gitops.objects", source, state, null, "Objects of the source by sync state")
                    .set(byState.getOrDefault(state, 0));
        }
    }

    private AtomicLong gauge(String name, String source, String state, String unit, String description) {
        return values.computeIfAbsent(name + "|" + source + "|" + state, k -> {
            AtomicLong value = new AtomicLong();
            Gauge.Builder<AtomicLong> builder = Gauge.builder(name, value, AtomicLong::get).tag("source", source)
                    .description(description);
            if (state != null) {
                builder.tag("state", state);
            }
            if (unit != null) {
                builder.baseUnit(unit);
            }
            builder.strongReference(true).register(registry);
            return value;
        });
    }
}
