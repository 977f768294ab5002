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

    public static String network(String stack, String network) {
        return stack + "_" + network;
    }
}
