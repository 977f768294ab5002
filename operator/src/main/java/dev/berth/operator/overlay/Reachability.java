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
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Pure: which hosts have lost their etcd record (lease expired) but still answer through the overlay. Such a host is
 * {@code Unknown}, not {@code Down}: its operator is gone, its containers may well run. Its FDB entries, names and
 * Route servers are kept while it is Unknown.
 *
 * <p>A host is Unknown when it has no live record and some live host's report on a Network says it answers, or said
 * so until less than {@code grace} ago (probes have failed only for a short while). Reports of hosts without a live
 * record are not trusted: their last word may be old; nor is a report of {@code nofdb} (see {@link #kept}).
 */
public final class Reachability {
    /**
     * How long a host without a record is kept after its probes began to fail: four probe rounds of 5 s, so one lost
     * round (a busy peer, a dropped packet) does not cut a serving host off, while a host whose containers are gone
     * loses its entries, Route servers and names within half a minute.
     */
    public static final Duration GRACE = Duration.ofSeconds(20);

    private final Set<String> live;
    private final Collection<ProbeReport> reports;
    private final Instant now;
    private final Duration grace;
    /** Computed once: every host of a plan is asked about. */
    private final Set<String> unknown;

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
        this.unknown = Set.copyOf(findUnknown());
    }

    /** Nobody is Unknown: before probe reports are read, or where there are none. */
    public static Reachability none(Set<String> live) {
        return new Reachability(live, List.of(), Instant.EPOCH, GRACE);
    }

    /** Hosts without a live record that a live host still reaches through the overlay. */
    public Set<String> unknownHosts() {
        return new TreeSet<>(unknown);
    }

    private Set<String> findUnknown() {
        Set<String> unknown = new TreeSet<>();
        for (ProbeReport report : trusted()) {
            report.peers().forEach((peer, probe) -> {
                if (absent(report, peer) && kept(probe)) {
                    unknown.add(peer);
                }
            });
        }
        return unknown;
    }

    public boolean unknown(String host) {
        return unknown.contains(host);
    }

    /**
     * The Unknown hosts taking part in {@code network}, as peers to program. Underlay address: from a report that
     * says the peer answers (that address demonstrably works), else from the latest report. Their Network set is just
     * this one (what the reports show).
     */
    public List<Peer> lingeringPeers(String network) {
        Map<String, Found> underlay = new HashMap<>();
        for (ProbeReport report : trusted()) {
            if (!network.equals(report.network())) {
                continue;
            }
            report.peers().forEach((peer, probe) -> {
                if (absent(report, peer) && kept(probe) && probe.underlayIp() != null) {
                    Found found = new Found(probe.underlayIp(), probe.answers(), instant(report.at()));
                    underlay.merge(peer, found, Found::better);
                }
            });
        }
        List<Peer> peers = new ArrayList<>();
        new TreeSet<>(underlay.keySet()).forEach(h -> peers.add(new Peer(h, underlay.get(h).ip(), Set.of(network))));
        return peers;
    }

    /**
     * When the set of Unknown hosts next changes with no new report: the earliest end of a grace still running.
     * Callers look again then (a host whose probes fail drops out without any event).
     */
    public Optional<Instant> nextChange() {
        Instant next = null;
        for (ProbeReport report : trusted()) {
            for (Map.Entry<String, ProbeReport.PeerProbe> e : report.peers().entrySet()) {
                if (!absent(report, e.getKey()) || e.getValue() == null) {
                    continue;
                }
                Optional<Instant> end = graceEnd(e.getValue()).filter(at -> at.isAfter(now));
                if (end.isPresent() && (next == null || end.get().isBefore(next))) {
                    next = end.get();
                }
            }
        }
        return Optional.ofNullable(next);
    }

    /** {@link #nextChange()} as a delay from now (a little after, so the change has happened when looked at). */
    public Optional<Duration> untilNextChange() {
        return nextChange().map(at -> Duration.between(now, at).plusMillis(100));
    }

    /**
     * What readers act on, as one comparable value: the live hosts, every lingering peer with its Network and
     * address, and when the next grace ends. Reports are rewritten for new round-trip times too; a reader looks again
     * only when this changed. (The live set is in it because readers also look again on their own when a host record
     * comes or goes: a value equal to the last one seen then really means nothing changed for them.)
     */
    public String signature() {
        Set<String> parts = new TreeSet<>();
        Set<String> networks = new TreeSet<>();
        trusted().forEach(r -> networks.add(r.network()));
        for (String network : networks) {
            if (network != null) {
                lingeringPeers(network).forEach(p -> parts.add(network + "/" + p.host() + "@" + p.underlayIp()));
            }
        }
        unknownHosts().forEach(h -> parts.add("unknown/" + h));
        return new TreeSet<>(live) + " " + parts + " next " + nextChange().map(Instant::toString).orElse("-");
    }

    /** Reports of live hosts only: a dead reporter's last word may be old. */
    private List<ProbeReport> trusted() {
        return reports.stream().filter(r -> r.host() != null && live.contains(r.host())).toList();
    }

    /** A peer the report names that has no live record (a report naming its own host is ignored). */
    private boolean absent(ProbeReport report, String peer) {
        return !live.contains(peer) && !peer.equals(report.host());
    }

    /**
     * Answers, or has been unreachable for less than the grace. A reporter without an FDB entry for the peer
     * ({@code nofdb}) vouches for nothing: it sends the peer nothing, and its {@code since} is when its own entry went,
     * not when the peer stopped answering (counting a grace from it would bring back a peer whose entries were just
     * removed, and remove them again, forever).
     */
    private boolean kept(ProbeReport.PeerProbe probe) {
        if (probe == null) {
            return false;
        }
        return probe.answers() || graceEnd(probe).map(end -> end.isAfter(now)).orElse(false);
    }

    /** When an unreachable peer's grace ends; empty for any other state. */
    private Optional<Instant> graceEnd(ProbeReport.PeerProbe probe) {
        if (!ProbeReport.UNREACHABLE.equals(probe.state())) {
            return Optional.empty();
        }
        return Optional.ofNullable(instant(probe.since())).map(since -> since.plus(grace));
    }

    private static Instant instant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private record Found(String ip, boolean answers, Instant at) {
        Found better(Found other) {
            if (answers != other.answers) {
                return answers ? this : other;
            }
            if (at == null || other.at == null) {
                return at == null ? other : this;
            }
            return other.at.isAfter(at) ? other : this;
        }
    }
}
