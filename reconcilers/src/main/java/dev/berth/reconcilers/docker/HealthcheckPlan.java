package dev.berth.reconcilers.docker;

import java.util.List;

/** Docker's health check with durations in nanoseconds, as the Engine API takes them; null fields keep Docker's defaults. */
public record HealthcheckPlan(List<String> test, Long intervalNanos, Long timeoutNanos, Integer retries,
                              Long startPeriodNanos) implements Canonical.Form {
    public HealthcheckPlan {
        test = List.copyOf(test);
    }

    @Override
    public void writeCanonical(Canonical out) {
        out.record("HealthcheckPlan")
                .field("test", test)
                .field("intervalNanos", intervalNanos)
                .field("timeoutNanos", timeoutNanos)
                .field("retries", retries)
                .field("startPeriodNanos", startPeriodNanos);
    }
}
