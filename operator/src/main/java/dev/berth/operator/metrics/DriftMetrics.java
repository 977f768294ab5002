package dev.berth.operator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code berth_drift_corrections_total{controller,drift}}: actions a controller took to put back what it had
 * already converged to, by kind of drift. Rollouts of a new spec or a new placement are not drift. The drift
 * values are a fixed set ({@link #DRIFTS}), all registered up front for each controller.
 */
public final class DriftMetrics {
    /**
     * missing (something wanted is gone), stopped (exited, dead, created but not started), renamed (renamed by
     * hand), spec_changed (carries another spec hash), extra (a duplicate or surplus replica), orphan (owned by a
     * stack or service no longer declared, or not placed here).
     */
    public static final List<String> DRIFTS = List.of("missing", "stopped", "renamed", "spec_changed", "extra", "orphan");

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public DriftMetrics(MeterRegistry registry, List<String> controllers) {
        this.registry = registry;
        controllers.forEach(c -> DRIFTS.forEach(d -> counter(c, d)));
    }

    private Counter counter(String controller, String drift) {
        return counters.computeIfAbsent(controller + "/" + drift, k -> Counter.builder("berth.drift.corrections")
                .tag("controller", controller).tag("drift", drift)
                .description("Corrections of drift from an already converged state, by kind of drift")
                .register(registry));
    }

    /** Counts corrections; a drift outside {@link #DRIFTS} is ignored (it would be a new series). */
    public void record(String controller, Map<String, Integer> byDrift) {
        byDrift.forEach((drift, n) -> {
            if (DRIFTS.contains(drift) && n > 0) {
                counter(controller, drift).increment(n);
            }
        });
    }
}
