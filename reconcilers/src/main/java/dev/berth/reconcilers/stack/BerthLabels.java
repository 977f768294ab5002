package dev.berth.reconcilers.stack;

/**
 * The labels that mark what Berth made. Only objects carrying {@link #MANAGED_BY}={@link #MANAGED_BY_VALUE}
 * are ever listed, changed or removed.
 */
public final class BerthLabels {
    public static final String MANAGED_BY = "berth.dev/managed-by";
    public static final String MANAGED_BY_VALUE = "berth";
    /** {@code stack/<name>}. */
    public static final String OWNER = "berth.dev/owner";
    public static final String SERVICE = "berth.dev/service";
    /** 1-based replica index. */
    public static final String REPLICA = "berth.dev/replica";
    public static final String SPEC_HASH = "berth.dev/spec-hash";
    /** The network's declared name (without the stack prefix), on networks. */
    public static final String NETWORK = "berth.dev/network";

    private BerthLabels() {
    }

    public static String stackOwner(String stack) {
        return "stack/" + stack;
    }

    public static boolean isManaged(java.util.Map<String, String> labels) {
        return labels != null && MANAGED_BY_VALUE.equals(labels.get(MANAGED_BY));
    }
}
