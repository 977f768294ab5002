package dev.berth.reconcilers.overlay;

import java.util.Set;

/** Another live host (its etcd lease holds) and the Networks it takes part in. */
public record Peer(String host, String underlayIp, Set<String> networks) {
    public Peer {
        networks = Set.copyOf(networks);
    }
}
