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
 * for every call through {@link EtcdKv}; all pairs registered up front.
 */
public final class EtcdMetrics implements EtcdKv.CallListener {
    private final Map<String, Counter> requests = new HashMap<>();
    private final Map<String, Timer> durations = new HashMap<>();

    public EtcdMetrics(MeterRegistry registry) {
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
}
