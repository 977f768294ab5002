package dev.berth.reconcilers.docker;

import java.util.Map;

/**
 * The Docker bridge network of an overlay on one host: the whole subnet (so containers on other hosts are on
 * link), this host's own ip-range and gateway (so addresses never collide across hosts), a fixed bridge name
 * the VXLAN device is enslaved to, and the overlay MTU.
 */
public record OverlayNetworkPlan(String network, String dockerName, String bridge, String subnet, String ipRange,
                                 String gateway, int mtu, Map<String, String> labels, String specHash) {
    public OverlayNetworkPlan {
        labels = Map.copyOf(labels);
    }
}
