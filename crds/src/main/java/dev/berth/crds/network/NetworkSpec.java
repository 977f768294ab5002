package dev.berth.crds.network;

/**
 * A multi-host overlay network: VXLAN {@code vni} over UDP {@code port}, the IPv4 {@code subnet} it spans and
 * each host's share of it ({@code /hostPrefix}, leased in etcd). {@code mtu} null means underlay MTU − 50.
 * {@code mode} is {@code flood} (all-zero FDB entries to every peer) or {@code unicast} (also per-container
 * MAC entries and neighbour entries, so ARP does not flood).
 */
public record NetworkSpec(Integer vni, String subnet, Integer hostPrefix, Integer mtu, Integer port, String mode) {
    public NetworkSpec {
        hostPrefix = hostPrefix == null ? 24 : hostPrefix;
        port = port == null ? 4789 : port;
        mode = mode == null ? "flood" : mode;
    }

    public boolean unicast() {
        return "unicast".equals(mode);
    }
}
