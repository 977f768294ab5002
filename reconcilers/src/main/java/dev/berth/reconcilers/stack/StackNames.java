package dev.berth.reconcilers.stack;

/** Docker names as Compose makes them, so people find their containers where they expect them. */
public final class StackNames {
    /** The network every service joins when it names none. */
    public static final String DEFAULT_NETWORK = "default";

    private StackNames() {
    }

    public static String container(String stack, String service, int replica) {
        return stack + "-" + service + "-" + replica;
    }

    /** A service's container: its containerName when it keeps one (then one per host), else the Compose-like name. */
    public static String container(String stack, dev.berth.crds.stack.ServiceSpec service, int replica) {
        return service.containerName() != null ? service.containerName() : container(stack, service.name(), replica);
    }

    /**
     * The name a replica runs under while Docker holds its own name for a container it cannot remove (state dead, see
     * {@link HeldNames}): {@code <name>-next} first, the name a safe recreate or start-first update gives
     * a replacement, so the rename that ends those ({@link Rollout}) also gives the replica its name back once the dead
     * container is gone; then {@code <name>-next-2}, {@code -next-3}, ... when those are held too.
     */
    public static String standIn(String name, int n) {
        return n <= 1 ? name + Rollout.NEXT_SUFFIX : name + Rollout.NEXT_SUFFIX + "-" + n;
    }

    /** Whether {@code candidate} is one of {@link #standIn}'s names for {@code name}. */
    public static boolean isStandIn(String name, String candidate) {
        String first = name + Rollout.NEXT_SUFFIX;
        if (candidate.equals(first)) {
            return true;
        }
        if (!candidate.startsWith(first + "-")) {
            return false;
        }
        String n = candidate.substring(first.length() + 1);
        return !n.isEmpty() && n.length() < 4 && n.chars().allMatch(Character::isDigit) && n.charAt(0) != '0';
    }

    public static String network(String stack, String network) {
        return stack + "_" + network;
    }
}
