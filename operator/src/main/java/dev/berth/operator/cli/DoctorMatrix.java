package dev.berth.operator.cli;

import dev.berth.operator.control.HostRecord;
import dev.berth.operator.overlay.ProbeReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Pure: one Network's health as {@code berth doctor} prints it, from the live host records and the stored probe
 * reports. A matrix host × host (the row host probes the column host) and, below it, one line per cell that is not
 * ok with a hint at the likely cause.
 *
 * <p>The hosts are those whose live record says they take part, and those a live participant's report still names
 * (a host whose record expired while its data plane answers). A report is trusted only from a host with a live
 * record: the row of a host without one shows "-".
 */
final class DoctorMatrix {
    static final String OK = "ok";
    static final String UNREACHABLE = "unreachable";
    static final String MTU = "mtu";
    static final String NO_FDB = "no-fdb";
    static final String LEASE_EXPIRED = "lease-expired";
    static final String NO_REPORT = "no-report";
    static final String NONE = "-";
    /** VXLAN over IPv4 adds 50 bytes to every frame (outer Ethernet 14, IP 20, UDP 8, VXLAN 8). */
    private static final int VXLAN_OVERHEAD = 50;

    /** The Network as the doctor names it. */
    record NetworkFacts(String name, int vni, int port) {
    }

    /** The text to print and how many cells are not ok. */
    record Outcome(String text, int problems) {
    }

    private final NetworkFacts network;
    private final Map<String, HostRecord> live;
    /** This Network's reports of live hosts, by reporting host. */
    private final Map<String, ProbeReport> reports = new TreeMap<>();

    DoctorMatrix(NetworkFacts network, Map<String, HostRecord> live, Collection<ProbeReport> allReports) {
        this.network = network;
        this.live = Map.copyOf(live);
        for (ProbeReport r : allReports) {
            if (network.name().equals(r.network()) && live.containsKey(r.host())) {
                reports.put(r.host(), r);
            }
        }
    }

    /** Every host in the matrix, by name. */
    List<String> hosts() {
        TreeSet<String> hosts = new TreeSet<>();
        live.values().stream().filter(this::takesPart).map(HostRecord::name).forEach(hosts::add);
        reports.values().stream().filter(r -> takesPart(live.get(r.host())))
                .forEach(r -> hosts.addAll(r.peers().keySet()));
        return new ArrayList<>(hosts);
    }

    private boolean takesPart(HostRecord h) {
        return h != null && h.networks().stream().anyMatch(n -> n.name().equals(network.name()));
    }

    /** What {@code from} found about {@code to}: one of the constants above. */
    String cell(String from, String to) {
        if (from.equals(to) || !live.containsKey(from)) {
            return NONE;
        }
        if (!live.containsKey(to)) {
            return LEASE_EXPIRED;
        }
        ProbeReport.PeerProbe probe = probe(from, to).orElse(null);
        if (probe == null) {
            return NO_REPORT;
        }
        return switch (probe.state()) {
            case ProbeReport.OK -> OK;
            case ProbeReport.MTU -> MTU;
            case ProbeReport.NO_FDB -> NO_FDB;
            default -> UNREACHABLE;
        };
    }

    Outcome render() {
        StringWriter buffer = new StringWriter();
        PrintWriter out = new PrintWriter(buffer);
        List<String> hosts = hosts();
        out.println("network/" + network.name() + " (VNI " + network.vni() + ", UDP " + network.port() + "): "
                + hosts.size() + " host(s); each row is the probing host, each column the probed one");
        if (hosts.size() < 2) {
            out.println("  nothing to probe: fewer than two hosts take part");
            out.flush();
            return new Outcome(buffer.toString(), 0);
        }
        List<String> header = new ArrayList<>(List.of("FROM \\ TO"));
        header.addAll(hosts);
        Table table = new Table(header.toArray(String[]::new));
        List<String> problems = new ArrayList<>();
        for (String from : hosts) {
            List<String> row = new ArrayList<>(List.of(from));
            for (String to : hosts) {
                String cell = cell(from, to);
                row.add(cell);
                if (!cell.equals(OK) && !cell.equals(NONE)) {
                    problems.add(from + " -> " + to + " " + cell + ": " + hint(from, to, cell));
                }
            }
            table.row(row.toArray(String[]::new));
        }
        table.print(out);
        problems.forEach(p -> out.println("  " + p));
        out.flush();
        return new Outcome(buffer.toString(), problems.size());
    }

    String hint(String from, String to, String cell) {
        Optional<ProbeReport.PeerProbe> probe = probe(from, to);
        return switch (cell) {
            case UNREACHABLE -> "UDP " + network.port() + " blocked between " + named(from) + " and " + named(to)
                    + "? Neither a small nor a full-size packet got an answer"
                    + probe.map(p -> " since " + p.since()).orElse("");
            case MTU -> mtuHint(from, to);
            case NO_FDB -> from + " has no FDB entry towards " + named(to) + " on bv" + network.vni()
                    + ", so it sends nothing there; its network reconciler puts it back on its next pass"
                    + " (see `berth describe network " + network.name() + "` and the operator's log on " + from + ")";
            case LEASE_EXPIRED -> to + " has no live host record (its operator stopped or cannot reach etcd)"
                    + probe.map(p -> p.answers()
                            ? ", but " + from + " still reaches it through the overlay: Unknown, its containers keep serving"
                            : " and " + from + "'s probes fail since " + p.since() + ": it is dropped once the grace ends")
                    .orElse("");
            case NO_REPORT -> from + " published no probe of " + to + " (its operator probes every --probe-interval;"
                    + " a host that just joined, or an operator without probes, has none yet)";
            default -> "";
        };
    }

    private String mtuHint(String from, String to) {
        ProbeReport mine = reports.get(from);
        int mtu = mine.mtu();
        int needed = mtu + VXLAN_OVERHEAD;
        String head = "Network MTU " + mtu + " needs " + needed + "-byte underlay packets; ";
        Integer fromLink = mine.underlayMtu() > 0 ? mine.underlayMtu() : null;
        Integer toLink = Optional.ofNullable(reports.get(to)).map(ProbeReport::underlayMtu).filter(m -> m > 0).orElse(null);
        if (toLink != null && toLink < needed && (fromLink == null || toLink <= fromLink)) {
            return head + to + "'s underlay link carries " + toLink;
        }
        if (fromLink != null && fromLink < needed) {
            return head + from + "'s underlay link carries " + fromLink;
        }
        return head + "both underlay links carry that, so a hop between " + named(from) + " and " + named(to)
                + " does not (lower the Network's mtu)";
    }

    private Optional<ProbeReport.PeerProbe> probe(String from, String to) {
        return Optional.ofNullable(reports.get(from)).map(r -> r.peers().get(to));
    }

    /** "hb3 (10.1.0.13)": the underlay address from the live record, else as a report names it. */
    private String named(String host) {
        String ip = Optional.ofNullable(live.get(host)).map(HostRecord::underlayIp).orElse(null);
        if (ip == null) {
            ip = reports.values().stream().map(r -> r.peers().get(host)).filter(p -> p != null && p.underlayIp() != null)
                    .map(ProbeReport.PeerProbe::underlayIp).findFirst().orElse(null);
        }
        return ip == null ? host : host + " (" + ip + ")";
    }
}
