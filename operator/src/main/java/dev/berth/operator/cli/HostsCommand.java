package dev.berth.operator.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.crds.Kinds;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.store.StoredValue;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.stream.Collectors;

/**
 * {@code berth get hosts}: the live host records (each on its operator's lease, so a listed host is alive):
 * the seed's discovery data.
 */
final class HostsCommand {
    private HostsCommand() {
    }

    static int print(EtcdOptions etcd, PrintWriter out, boolean wide) throws Exception {
        ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        Table table = wide ? new Table("HOST", "UNDERLAY", "VXLAN ENDPOINTS", "VNIS", "STATUS", "UPDATED", "VTEP MAC", "LABELS", "VERSION")
                : new Table("HOST", "UNDERLAY", "VXLAN ENDPOINTS", "VNIS", "STATUS", "UPDATED");
        Instant now = Instant.now();
        try (StoreSession session = new StoreSession(etcd, Kinds.standard())) {
            for (StoredValue value : session.kv().list(session.store().keys().hostsPrefix()).values()) {
                HostRecord h = json.readValue(value.value(), HostRecord.class);
                String ip = h.underlayIp() == null ? "-" : h.underlayIp();
                String endpoints = h.underlayIp() == null || h.networks().isEmpty() ? "-" : h.networks().stream()
                        .map(n -> h.underlayIp() + ":" + n.port()).distinct().collect(Collectors.joining(","));
                String vnis = h.networks().isEmpty() ? "-" : h.networks().stream()
                        .map(n -> n.vni() + "(" + n.name() + ")").collect(Collectors.joining(","));
                // Listed means alive (the record is on the operator's lease); UPDATED is the record's last write.
                String seen = Ages.since(h.lastSeen(), now) + " ago";
                if (wide) {
                    table.row(h.name(), ip, endpoints, vnis, "Alive", seen, h.vtepMac(),
                            h.labels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted()
                                    .collect(Collectors.joining(",")), h.version());
                } else {
                    table.row(h.name(), ip, endpoints, vnis, "Alive", seen);
                }
            }
        }
        table.print(out);
        return 0;
    }
}
