package dev.berth.reconcilers.overlay;

import dev.berth.crds.network.Ipv4Cidr;
import java.util.Optional;

/**
 * Each host's share of a Network's subnet, held in etcd (the operator implements this with jetcd). Taking a
 * share is create-if-absent, so two hosts racing never hold overlapping ranges; a host keeps its share across
 * restarts and gives it back when it no longer runs anything on the Network.
 */
public interface SubnetLeases {
    /** This host's range, taking the first free one when it has none. */
    Ipv4Cidr acquire(String network, Ipv4Cidr subnet, int hostPrefix, String host);

    Optional<Ipv4Cidr> current(String network, String host);

    void release(String network, String host);
}
