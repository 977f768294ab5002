package dev.berth.reconcilers.docker;

import java.util.List;

/**
 * A network a container joins. The network's own spec hash is part of the container's plan: when a network is
 * recreated, the containers on it must be recreated too, and this makes their hash say so.
 */
public record NetworkAttachment(String network, String declaredName, List<String> aliases, String networkHash)
        implements Canonical.Form {
    public NetworkAttachment {
        aliases = List.copyOf(aliases);
    }

    @Override
    public void writeCanonical(Canonical out) {
        out.record("NetworkAttachment")
                .field("network", network)
                .field("declaredName", declaredName)
                .field("aliases", aliases)
                .field("networkHash", networkHash);
    }
}
