package dev.berth.crds.stack;

/**
 * A service this one starts after, as in Compose: {@code service_started} (default) or {@code service_healthy}
 * (Docker reports it healthy). Compose's service_completed_successfully has no counterpart: Berth keeps every
 * service running, so a one-shot service would be restarted.
 */
public record DependsOn(String service, String condition) {
    public static final String STARTED = "service_started";
    public static final String HEALTHY = "service_healthy";

    public DependsOn {
        condition = condition == null ? STARTED : condition;
    }
}
