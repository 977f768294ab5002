package dev.berth.crds.stack;

/**
 * How a changed service replaces its containers. {@code recreate}: stop the old, start the new.
 * {@code start-first}: start the new one, wait until Docker reports it healthy (at most {@code healthTimeout}),
 * take the old one out of service, wait {@code drain}, then remove it; {@code maxSurge} replicas at a time.
 */
public record UpdateSpec(String strategy, String healthTimeout, String drain, Integer maxSurge) {
    public static final String RECREATE = "recreate";
    public static final String START_FIRST = "start-first";

    public UpdateSpec {
        healthTimeout = healthTimeout == null ? "60s" : healthTimeout;
        drain = drain == null ? "2s" : drain;
        maxSurge = maxSurge == null ? 1 : maxSurge;
    }
}
