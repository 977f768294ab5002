package dev.berth.crds.stack;

/** Annotations on a Stack's metadata that mean something to Berth. */
public final class StackAnnotations {
    /**
     * Written by {@code berth restart stack NAME} (Kubernetes' rollout restart): every service picks its image again
     * (a new digest if the tag moved) and rolls its replicas through its update strategy.
     */
    public static final String RESTARTED_AT = "berth.dev/restarted-at";

    private StackAnnotations() {
    }
}
