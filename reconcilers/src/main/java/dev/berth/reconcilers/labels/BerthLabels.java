package dev.berth.reconcilers.labels;

/**
 * The labels that mark what Berth made. Only objects carrying {@link #MANAGED_BY}=<instance> (default {@link #DEFAULT_INSTANCE})
 * are ever listed, changed or removed.
 */
public final class BerthLabels {
    public static final String MANAGED_BY = "berth.dev/managed-by";
    /** The managed-by value of an operator started without --instance. */
    public static final String DEFAULT_INSTANCE = "berth";
    /** {@code stack/<name>}. */
    public static final String OWNER = "berth.dev/owner";
    public static final String SERVICE = "berth.dev/service";
    /** 1-based replica index. */
    public static final String REPLICA = "berth.dev/replica";
    public static final String SPEC_HASH = "berth.dev/spec-hash";
    /**
     * The host-salted digests of a container's Secret environment values ("NAME=digest,..."), which its spec hash
     * takes in place of the values: berth diff, which has no salt, plans with them.
     */
    public static final String SECRET_ENV_DIGESTS = "berth.dev/secret-env-digests";
    /**
     * Seconds Berth lets the container stop (its stop signal, then SIGKILL) before it removes it; only on containers of
     * services with a stopGracePeriod or stopSignal. Without it a container is removed at once.
     */
    public static final String STOP_GRACE_SECONDS = "berth.dev/stop-grace-seconds";
    /**
     * A service's aliases ("a,b"), on its containers when it has any: what the endpoint lists carry, so names across
     * hosts answer an alias like the service's name (on Berth Networks the operator answers, Docker's aliases are not set).
     */
    public static final String ALIASES = "berth.dev/aliases";
    /** The network's declared name (without the stack prefix), on networks. */
    public static final String NETWORK = "berth.dev/network";

    private BerthLabels() {
    }

    /** True when the labels say this Berth instance made the object; other instances' objects are foreign. */
    public static boolean isManaged(java.util.Map<String, String> labels, String instance) {
        return labels != null && instance.equals(labels.get(MANAGED_BY));
    }
}
