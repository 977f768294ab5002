package dev.berth.operator.overlay;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Probe reports in etcd as JSON under {@code <root>/v1/probes/<network>/<host>} (so {@code etcdctl get} shows them
 * readably). A report that does not decode is skipped by readers: someone wrote it by hand, and its host's next
 * write replaces it.
 */
public final class ProbeReportStore {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final EtcdKv kv;
    private final KeyLayout keys;

    public ProbeReportStore(EtcdKv kv, KeyLayout keys) {
        this.kv = kv;
        this.keys = keys;
    }

    public void put(ProbeReport report) {
        kv.put(keys.probe(report.network(), report.host()), encode(report));
    }

    public void delete(String network, String host) {
        kv.delete(keys.probe(network, host));
    }

    /** Every stored report that decodes, of every Network and host. */
    public List<ProbeReport> all() {
        List<ProbeReport> reports = new ArrayList<>();
        for (StoredValue value : kv.list(keys.probesPrefix()).values()) {
            decode(value.value()).ifPresent(reports::add);
        }
        return reports;
    }

    public static String encode(ProbeReport report) {
        try {
            return JSON.writeValueAsString(report);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write probe report " + report, e);
        }
    }

    public static Optional<ProbeReport> decode(String json) {
        try {
            ProbeReport report = JSON.readValue(json, ProbeReport.class);
            return report == null || report.host() == null || report.network() == null ? Optional.empty() : Optional.of(report);
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
