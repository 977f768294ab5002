package dev.berth.operator.overlay;

import dev.berth.operator.control.HostRecord;
import dev.berth.reconcilers.overlay.Peer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Pure: whom this host probes on one Network. The live hosts whose record says they take part, and the Unknown ones
 * (no live record, but a live host's probes still reach them, see {@link Reachability}): probing those is what tells
 * the cluster when they are really gone. A peer's gateway is its subnet lease's first address; a peer without a
 * lease (and no gateway in any report) cannot be probed and is left out.
 */
public final class ProbeTargets {
    /** A peer to probe: its underlay address (where the FDB entry points) and its overlay gateway. */
    public record Target(String host, String underlayIp, String gateway) {
    }

    private ProbeTargets() {
    }

    /**
     * @param gateways the Network's gateways by host, from the subnet leases
     * @param reports  every stored report (all Networks), for the Unknown hosts
     */
    public static List<Target> of(String self, String network, Collection<HostRecord> live, Map<String, String> gateways,
                                  Collection<ProbeReport> reports, Instant now, Duration grace) {
        List<Target> targets = new ArrayList<>();
        for (HostRecord h : live) {
            boolean takesPart = h.networks().stream().anyMatch(n -> n.name().equals(network));
            if (!h.name().equals(self) && takesPart && h.underlayIp() != null && gateways.containsKey(h.name())) {
                targets.add(new Target(h.name(), h.underlayIp(), gateways.get(h.name())));
            }
        }
        Set<String> liveNames = live.stream().map(HostRecord::name).collect(Collectors.toSet());
        for (Peer p : new Reachability(liveNames, reports, now, grace).lingeringPeers(network)) {
            String gateway = gateways.containsKey(p.host()) ? gateways.get(p.host()) : reportedGateway(reports, network, p.host());
            if (!p.host().equals(self) && gateway != null) {
                targets.add(new Target(p.host(), p.underlayIp(), gateway));
            }
        }
        targets.sort(Comparator.comparing(Target::host));
        return targets;
    }

    private static String reportedGateway(Collection<ProbeReport> reports, String network, String host) {
        return reports.stream().filter(r -> network.equals(r.network()))
                .map(r -> r.peers().get(host)).filter(p -> p != null && p.gateway() != null)
                .map(ProbeReport.PeerProbe::gateway).findFirst().orElse(null);
    }
}
