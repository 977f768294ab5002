package dev.berth.operator.metrics;

import dev.berth.operator.store.EtcdKv;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code berth_etcd_requests_total{operation,outcome}} and {@code berth_etcd_request_duration_seconds{operation}}
 * for every call through {@link EtcdKv}; all pairs registered up front. {@code berth_etcd_watches{prefix}}: the
 * watches open per key prefix (a fixed set per process), which the informer registry keeps at one.
 */
public final class EtcdMetrics implements EtcdKv.CallListener {
    private final Map<String, Counter> requests = new HashMap<>();
    private final Map<String, Timer> durations = new HashMap<>();
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> watches =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final MeterRegistry registry;

    public EtcdMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String operation : OPERATIONS) {
            for (String outcome : OUTCOMES) {
                requests.put(operation + "/" + outcome, Counter.builder("berth.etcd.requests")
                        .tag("operation", operation).tag("outcome", outcome)
                        .description("etcd calls by operation and outcome").register(registry));
            }
            durations.put(operation, Timer.builder("berth.etcd.request.duration").tag("operation", operation)
                    .description("Time of one etcd call")
                    .serviceLevelObjectives(Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(25),
                            Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(5))
                    .register(registry));
        }
    }

    @Override
    public void call(String operation, String outcome, long nanos) {
        Counter c = requests.get(operation + "/" + outcome);
        Timer t = durations.get(operation);
        if (c == null || t == null) {
            return;
        }
        c.increment();
        t.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void watches(String prefix, int delta) {
        watches.computeIfAbsent(prefix, p -> {
            java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
            io.micrometer.core.instrument.Gauge.builder("berth.etcd.watches", open, java.util.concurrent.atomic.AtomicInteger::get)
                    .tag("prefix", p).description("etcd watches open, per key prefix").register(registry);
            return open;
        }).addAndGet(delta);
    }
}
