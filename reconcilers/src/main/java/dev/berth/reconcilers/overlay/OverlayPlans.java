package dev.berth.reconcilers.overlay;

import dev.berth.reconcilers.docker.Endpoint;
import dev.berth.reconcilers.docker.OverlayNetworkPlan;
import dev.berth.crds.ObjectKey;
import dev.berth.crds.network.Ipv4Cidr;
import dev.berth.crds.network.NetworkSpec;
import dev.berth.reconcilers.link.FdbEntry;
import dev.berth.reconcilers.link.NeighEntry;
import dev.berth.reconcilers.link.OverlayDesired;
import dev.berth.reconcilers.link.VxlanDevice;
import dev.berth.reconcilers.labels.BerthLabels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Pure: what a Network should be on this host, from its spec, this host's lease and the live peers. */
public final class OverlayPlans {
    static final String FLOOD_MAC = "00:00:00:00:00:00";
    /** VXLAN over IPv4 adds 50 bytes (outer Ethernet 14, IP 20, UDP 8, VXLAN 8). */
    static final int VXLAN_OVERHEAD = 50;

    private OverlayPlans() {
    }

    public static int mtu(NetworkSpec spec, OverlayHost host) {
        return spec.mtu() != null ? spec.mtu() : host.underlayMtu() - VXLAN_OVERHEAD;
    }

    public static OverlayNetworkPlan dockerNetwork(String instance, String network, NetworkSpec spec, Ipv4Cidr range,
                                                   OverlayHost host) {
        Ipv4Cidr subnet = Ipv4Cidr.parse(spec.subnet());
        String gateway = Ipv4Cidr.dotted(range.base() + 1);
        int mtu = mtu(spec, host);
        Map<String, String> labels = new TreeMap<>();
        labels.put(BerthLabels.MANAGED_BY, instance);
        labels.put(BerthLabels.OWNER, ObjectKey.network(network).toString());
        labels.put(BerthLabels.NETWORK, network);
        OverlayNetworkPlan unhashed = new OverlayNetworkPlan(network, OverlayNames.dockerNetwork(network),
                OverlayNames.bridge(spec.vni()), subnet.toString(), range.toString(), gateway, mtu, labels, "");
        String hash = hash(unhashed.hashInput());
        labels.put(BerthLabels.SPEC_HASH, hash);
        return new OverlayNetworkPlan(network, unhashed.dockerName(), unhashed.bridge(), unhashed.subnet(),
                unhashed.ipRange(), gateway, mtu, labels, hash);
    }

    /**
     * The VXLAN device and one flood entry per peer that takes part in this Network; in unicast mode also, for
     * every remote container, an FDB entry (its MAC → its host) and a neighbour entry (its IP → its MAC).
     */
    public static OverlayDesired kernel(String instance, String network, NetworkSpec spec, OverlayHost host, List<Peer> peers,
                                        Map<String, List<Endpoint>> endpointsByHost) {
        String device = OverlayNames.vxlan(spec.vni());
        VxlanDevice vxlan = new VxlanDevice(device, spec.vni(), host.underlayIp(), spec.port(), mtu(spec, host),
                OverlayNames.bridge(spec.vni()), true, OverlayNames.alias(instance, network));
        List<FdbEntry> fdb = peers.stream()
                .filter(p -> p.networks().contains(network) && !p.host().equals(host.name()))
                .map(p -> new FdbEntry(FLOOD_MAC, device, p.underlayIp()))
                .distinct().sorted(java.util.Comparator.comparing(FdbEntry::dst)).toList();
        if (!spec.unicast()) {
            return new OverlayDesired(List.of(vxlan), fdb, List.of());
        }
        List<FdbEntry> all = new java.util.ArrayList<>(fdb);
        List<NeighEntry> neighbours = new java.util.ArrayList<>();
        for (Peer p : peers) {
            if (!p.networks().contains(network) || p.host().equals(host.name())) {
                continue;
            }
            for (Endpoint e : endpointsByHost.getOrDefault(p.host(), List.of())) {
                all.add(new FdbEntry(e.mac(), device, p.underlayIp()));
                neighbours.add(new NeighEntry(e.ip(), e.mac(), OverlayNames.bridge(spec.vni())));
            }
        }
        return new OverlayDesired(List.of(vxlan), List.copyOf(all), List.copyOf(neighbours));
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
