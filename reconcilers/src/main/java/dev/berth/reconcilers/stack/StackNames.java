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

    public static String network(String stack, String network) {
        return stack + "_" + network;
    }
}
