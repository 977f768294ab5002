package dev.berth.crds.stack;

/**
 * A service this one starts after, as in Compose: {@code service_started} (default), {@code service_healthy}
 * (Docker reports it healthy) or {@code service_completed_successfully} (its containers on the host exited 0; the
 * dependency must be a one-shot service, {@code restart: no} or {@code on-failure}, whose exited containers stay).
 */
public record DependsOn(String service, String condition) {
    public static final String STARTED = "service_started";
    public static final String HEALTHY = "service_healthy";
    public static final String COMPLETED = "service_completed_successfully";

    public DependsOn {
        condition = condition == null ? STARTED : condition;
    }
}
