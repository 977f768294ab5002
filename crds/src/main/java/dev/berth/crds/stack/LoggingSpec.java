package dev.berth.crds.stack;

import java.util.Map;

/** A container's log driver and its options (Docker's {@code --log-driver}, {@code --log-opt}). */
public record LoggingSpec(String driver, Map<String, String> options) {
    public LoggingSpec {
        options = options == null ? Map.of() : Map.copyOf(options);
    }
}
