package dev.berth.crds.stack;

import java.util.List;

/**
 * Docker's health check. {@code test} is Docker's form ({@code ["CMD", ...]}, {@code ["CMD-SHELL", "..."]} or
 * {@code ["NONE"]}); durations are strings like {@code 10s} or {@code 1m30s}.
 */
public record HealthcheckSpec(List<String> test, String interval, String timeout, Integer retries, String startPeriod) {
    public HealthcheckSpec {
        test = test == null ? List.of() : List.copyOf(test);
    }
}
