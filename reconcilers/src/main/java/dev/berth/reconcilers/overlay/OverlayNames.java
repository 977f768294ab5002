package dev.berth.reconcilers.overlay;

/**
 * Names of what an overlay Network becomes on a host. Kernel names stay within 15 characters: "bb" or "bv"
 * and at most 8 digits of the VNI. The ifalias is what marks a VXLAN device as Berth's and names its instance
 * and Network.
 */
public final class OverlayNames {
    public static final String ALIAS_PREFIX = "berth:";

    private OverlayNames() {
    }

    public static String bridge(int vni) {
        return "bb" + vni;
    }

    public static String vxlan(int vni) {
        return "bv" + vni;
    }

    /** "berth:<instance>:<network>": two Berth installations sharing a kernel never adopt each other's devices. */
    public static String alias(String instance, String network) {
        return ALIAS_PREFIX + instance + ":" + network;
    }

    /** The Docker network a service joins when it names the Network: the Network's own name, as with Swarm. */
    public static String dockerNetwork(String network) {
        return network;
    }
}
