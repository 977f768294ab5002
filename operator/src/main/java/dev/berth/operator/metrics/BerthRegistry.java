package dev.berth.operator.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The operator's Prometheus registry, with filters that keep {@code promtool check metrics} clean: Micrometer's
 * {@code process.cpu.time} (exported as {@code process_cpu_time_ns_total}, a unit Prometheus rejects; CPU use is in
 * {@code process_cpu_usage}) is dropped, and {@code system.cpu.count} (a gauge whose name ends in {@code _count}) is
 * exported as {@code system_cpu_cores} ({@link ProcessMetrics} serves client_java's {@code process_cpu_seconds_total}).
 * Histograms get a small fixed set of buckets ({@link HistogramBuckets}). Filters must be set before any meter
 * registers: create the registry here.
 */
public final class BerthRegistry {
    private BerthRegistry() {
    }

    public static PrometheusMeterRegistry create() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config()
                .meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"))
                .meterFilter(new HistogramBuckets())
                .meterFilter(new MeterFilter() {
                    @Override
                    public Meter.Id map(Meter.Id id) {
                        return id.getName().equals("system.cpu.count") ? id.withName("system.cpu.cores") : id;
                    }
                });
        return registry;
    }
}
