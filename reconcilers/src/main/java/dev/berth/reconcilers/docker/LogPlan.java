package dev.berth.reconcilers.docker;

import java.util.Map;

/** A container's log driver and its options (Docker's {@code --log-driver}, {@code --log-opt}). */
public record LogPlan(String driver, Map<String, String> options) implements Canonical.Form {
    public LogPlan {
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    @Override
    public void writeCanonical(Canonical out) {
        out.record("LogPlan")
                .field("driver", driver)
                .field("options", options);
    }
}
