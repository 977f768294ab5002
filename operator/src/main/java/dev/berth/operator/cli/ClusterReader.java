package dev.berth.operator.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.overlay.ProbeReport;
import dev.berth.operator.overlay.ProbeReportStore;
import dev.berth.operator.overlay.Reachability;
import dev.berth.operator.schedule.CordonRecord;
import dev.berth.operator.schedule.MemberRecord;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.schedule.StackAssignment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads a {@link Cluster} from etcd: five prefix reads. A record that does not parse is left out (someone wrote it by
 * hand; the scheduler repairs assignments, and the CLI shows what it can rather than fail). Unknown hosts are judged
 * as the operators judge them ({@link Reachability}, with its default grace), from this machine's clock.
 */
final class ClusterReader {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private ClusterReader() {
    }

    static Cluster read(StoreSession session) {
        var keys = session.store().keys();
        Map<String, HostRecord> live = read(session, keys.hostsPrefix(), HostRecord.class, HostRecord::name);
        return new Cluster(live,
                read(session, keys.membersPrefix(), MemberRecord.class, MemberRecord::host),
                read(session, keys.cordonsPrefix(), CordonRecord.class, CordonRecord::host),
                read(session, keys.assignmentsPrefix(), StackAssignment.class, StackAssignment::stack),
                new Reachability(live.keySet(), probeReports(session), Instant.now(), Reachability.GRACE).unknownHosts());
    }

    /** Every probe report ({@code <network>/<host>} keys) that parses. */
    private static List<ProbeReport> probeReports(StoreSession session) {
        String prefix = session.store().keys().probesPrefix();
        List<ProbeReport> reports = new ArrayList<>();
        for (StoredValue value : session.kv().list(prefix).values()) {
            // Unreadable, or naming another key than its own: left out, see the class comment.
            ProbeReportStore.decode(value.value()).filter(r -> value.key().equals(prefix + r.network() + "/" + r.host()))
                    .ifPresent(reports::add);
        }
        return reports;
    }

    /** Keyed by the last segment of the etcd key (the host or stack name), which is what the key layout promises. */
    private static <T> Map<String, T> read(StoreSession session, String prefix, Class<T> type, Function<T, String> name) {
        Map<String, T> all = new HashMap<>();
        for (StoredValue value : session.kv().list(prefix).values()) {
            String keyName = value.key().substring(prefix.length());
            if (keyName.isEmpty() || keyName.contains("/")) {
                continue;
            }
            try {
                T record = JSON.readValue(value.value(), type);
                if (record != null && name.apply(record) != null) {
                    all.put(keyName, record);
                }
            } catch (Exception e) {
                // Unreadable: left out, see the class comment.
            }
        }
        return all;
    }

    static String write(Object record) {
        try {
            return JSON.writeValueAsString(record);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write " + record + " as JSON", e);
        }
    }
}
