package dev.berth.operator.cli;

import dev.berth.crds.Kinds;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.schedule.MemberRecord;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code berth get hosts}: every host the cluster knows, the live host records (each on its operator's lease, so a
 * listed record means alive) and the scheduler's member records (a member without a live record is Down, or Unknown
 * while other hosts' probes still reach it through the overlay). STATUS: Ready, Cordoned, Draining (Drained once the
 * scheduler places nothing on it), Unknown, Down; UPDATED is the live record's last write, or for a host without one
 * how long its record has been gone and when it was last seen.
 */
final class HostsCommand {
    private HostsCommand() {
    }

    /** How to print: the -o format, header line or not, the -l selector (on the hosts' labels), where to. */
    record Output(OutputFormat format, boolean headers, LabelSelector selector, PrintWriter out, PrintWriter err) {
    }

    /** All hosts, or only {@code name} (null: all); an unknown name fails (exit 1) listing the known hosts. */
    static int print(EtcdOptions etcd, Output output, String name) {
        Cluster cluster;
        try (StoreSession session = StoreSession.reading(etcd, Kinds.standard())) {
            cluster = ClusterReader.read(session);
        }
        if (name != null) {
            HostArgument.checkKnown(cluster, name);
        }
        List<String> hosts = (name == null ? cluster.known() : java.util.Set.of(name)).stream()
                .filter(host -> output.selector().matches(labels(cluster, host))).toList();
        PrintWriter out = output.out();
        if (name != null && hosts.isEmpty()) {
            // the host exists but -l does not select it: nothing in any format, as for get KIND NAME -l
            GetCommand.noneSelected(output.err());
            return 0;
        }
        switch (output.format().style()) {
            case table, wide -> table(cluster, hosts, output.format().wide()).print(out, output.headers());
            case name -> hosts.forEach(host -> out.println("host/" + host));
            default -> {
                HostDocuments documents = new HostDocuments();
                DocumentPrinter.print(output.format(), name != null ? documents.document(cluster, name)
                        : documents.list(cluster, hosts), out);
            }
        }
        out.flush();
        return 0;
    }

    /** A live host's labels as its operator reports them, else the scheduler's last member record's. */
    static java.util.Map<String, String> labels(Cluster cluster, String host) {
        HostRecord live = cluster.live().get(host);
        if (live != null) {
            return live.labels();
        }
        MemberRecord member = cluster.members().get(host);
        return member == null ? java.util.Map.of() : member.labels();
    }

    private static Table table(Cluster cluster, List<String> hosts, boolean wide) {
        Table table = wide ? new Table("HOST", "UNDERLAY", "VXLAN ENDPOINTS", "VNIS", "STATUS", "UPDATED", "CPUS", "MEMORY",
                "VTEP MAC", "LABELS", "VERSION")
                : new Table("HOST", "UNDERLAY", "VXLAN ENDPOINTS", "VNIS", "STATUS", "UPDATED");
        Instant now = Instant.now();
        for (String host : hosts) {
            HostRecord h = cluster.live().get(host);
            if (h == null) {
                MemberRecord m = cluster.members().get(host);
                String gone = (m.downSince() == null ? "" : (cluster.unknown(host) ? "no record " : "down ")
                        + Ages.since(m.downSince(), now) + ", ") + "last seen " + Ages.clock(m.lastSeen(), now);
                table.row(wide ? new String[] {host, "-", "-", "-", cluster.state(host), gone, "-", "-", "-", "-", "-"}
                        : new String[] {host, "-", "-", "-", cluster.state(host), gone});
                continue;
            }
            String ip = h.underlayIp() == null ? "-" : h.underlayIp();
            String endpoints = h.underlayIp() == null || h.networks().isEmpty() ? "-" : h.networks().stream()
                    .map(n -> h.underlayIp() + ":" + n.port()).distinct().collect(Collectors.joining(","));
            String vnis = h.networks().isEmpty() ? "-" : h.networks().stream()
                    .map(n -> n.vni() + "(" + n.name() + ")").collect(Collectors.joining(","));
            String seen = Ages.since(h.lastSeen(), now) + " ago";
            if (wide) {
                table.row(h.name(), ip, endpoints, vnis, cluster.state(host), seen, cpus(h.cpuMillis()), memory(h.memoryBytes()),
                        h.vtepMac(), h.labels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted()
                                .collect(Collectors.joining(",")), h.version());
            } else {
                table.row(h.name(), ip, endpoints, vnis, cluster.state(host), seen);
            }
        }
        return table;
    }

    /** "4", "0.5"; "-" when the host did not report it. */
    static String cpus(Long millis) {
        if (millis == null) {
            return "-";
        }
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
    }

    /** Docker-style binary units: "512Mi", "7.6Gi"; "-" when unknown. */
    static String memory(Long bytes) {
        if (bytes == null) {
            return "-";
        }
        String[] units = {"B", "Ki", "Mi", "Gi", "Ti"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        String number = value >= 10 || value == Math.floor(value) ? Long.toString(Math.round(value))
                : String.format(java.util.Locale.ROOT, "%.1f", value);
        return number + units[unit];
    }
}
