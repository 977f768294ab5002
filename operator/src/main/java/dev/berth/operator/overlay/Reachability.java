package dev.berth.operator.overlay;

import dev.berth.reconcilers.overlay.Peer;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Pure: which hosts have lost their etcd record (lease expired) but still answer through the overlay. Such a host is
 * {@code Unknown}, not {@code Down}: its operator is gone, its containers may well run. Its FDB entries, names and
 * Route servers are kept while it is Unknown.
 *
 * <p>A host is Unknown when it has no live record and some live host's report on a Network says it answers, or said
 * so until less than {@code grace} ago (probes have failed only for a short while). Reports of hosts without a live
 * record are not trusted: their last word may be old.
 */
public final class Reachability {
    private final Set<String> live;
    private final Collection<ProbeReport> reports;
    private final Instant now;
    private final Duration grace;

    /**
     * @param live    hosts with a live record
     * @param reports every stored report (any Network, any reporter)
     * @param grace   how long after its probes began to fail a host without a record is still kept
     */
    public Reachability(Set<String> live, Collection<ProbeReport> reports, Instant now, Duration grace) {
        this.live = Set.copyOf(live);
        this.reports = List.copyOf(reports);
        this.now = now;
        this.grace = grace;
    }

    /** Hosts without a live record that a live host still reaches through the overlay. */
    public Set<String> unknownHosts() {
        Set<String> unknown = new TreeSet<>();
        for (ProbeReport report : reports) {
            if (!live.contains(report.host())) {
                continue;
            }
            report.peers().forEach((peer, probe) -> {
                if (!live.contains(peer) && kept(probe)) {
                    unknown.add(peer);
                }
            });
        }
        return unknown;
    }

    /**
     * The Unknown hosts taking part in {@code network}, as peers to program: underlay address from the latest report
     * that names one. Their Network set is just this one (what the reports show).
     */
    public List<Peer> lingeringPeers(String network) {
        Map<String, String> underlay = new HashMap<>();
        Set<String> unknown = unknownHosts();
        for (ProbeReport report : reports) {
            if (!network.equals(report.network()) || !live.contains(report.host())) {
                continue;
            }
            report.peers().forEach((peer, probe) -> {
                if (unknown.contains(peer) && kept(probe) && probe.underlayIp() != null) {
                    underlay.putIfAbsent(peer, probe.underlayIp());
                }
            });
        }
        List<Peer> peers = new ArrayList<>();
        new TreeSet<>(underlay.keySet()).forEach(h -> peers.add(new Peer(h, underlay.get(h), Set.of(network))));
        return peers;
    }

    private boolean kept(ProbeReport.PeerProbe probe) {
        if (probe.answers()) {
            return true;
        }
        try {
            return probe.since() != null && Instant.parse(probe.since()).plus(grace).isAfter(now);
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
