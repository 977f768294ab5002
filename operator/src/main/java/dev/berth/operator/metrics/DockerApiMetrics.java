package dev.berth.operator.metrics;

import dev.berth.reconcilers.docker.DockerCallListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code berth_docker_requests_total{operation,outcome}} and {@code berth_docker_request_duration_seconds{operation}}
 * (a histogram with fixed buckets), told by the one {@code InstrumentedDocker} every Berth path shares (stacks,
 * overlays, the observed cache). Every operation/outcome pair is registered up front, so the series never depend
 * on what happened or on how many objects exist.
 */
public final class DockerApiMetrics implements DockerCallListener {
    private final Map<String, Counter> requests = new HashMap<>();
    private final Map<String, Timer> durations = new HashMap<>();

    public DockerApiMetrics(MeterRegistry registry) {
        for (String operation : OPERATIONS) {
            for (String outcome : OUTCOMES) {
                requests.put(operation + "/" + outcome, Counter.builder("berth.docker.requests")
                        .tag("operation", operation).tag("outcome", outcome)
                        .description("Docker API calls by operation and outcome").register(registry));
            }
            durations.put(operation, Timer.builder("berth.docker.request.duration").tag("operation", operation)
                    .description("Time of one Docker API call")
                    .serviceLevelObjectives(HistogramBuckets.DURATIONS)
                    .register(registry));
        }
    }

    @Override
    public void call(String operation, String outcome, long nanos) {
        Counter c = requests.get(operation + "/" + outcome);
        Timer t = durations.get(operation);
        if (c == null || t == null) {
            return; // unknown names never create series
        }
        c.increment();
        t.record(nanos, TimeUnit.NANOSECONDS);
    }
}
