package dev.berth.reconcilers.docker;

import java.util.Map;

/**
 * The Docker bridge network of an overlay on one host: the whole subnet (so containers on other hosts are on
 * link), this host's own ip-range and gateway (so addresses never collide across hosts), a fixed bridge name
 * the VXLAN device is enslaved to, and the overlay MTU.
 */
public record OverlayNetworkPlan(String network, String dockerName, String bridge, String subnet, String ipRange,
                                 String gateway, int mtu, Map<String, String> labels, String specHash) {
    /** Components the spec hash leaves out: the Docker name is the Network's own name, and the hash itself. */
    public static final java.util.Set<String> NOT_HASHED = java.util.Set.of("dockerName", "specHash");

    public OverlayNetworkPlan {
        labels = Map.copyOf(labels);
    }

    /**
     * What the spec hash covers: the one place that lists the components, so a component added to the plan and not
     * listed here fails {@code OverlayHashTest}. The text is the one hashed before this method existed, so an
     * upgrade recreates no overlay's Docker network.
     */
    public String hashInput() {
        Map<String, String> unhashed = new java.util.TreeMap<>(labels);
        unhashed.remove(dev.berth.reconcilers.labels.BerthLabels.SPEC_HASH);
        return String.join("|", network, subnet, ipRange, gateway, Integer.toString(mtu), bridge, unhashed.toString());
    }
}
