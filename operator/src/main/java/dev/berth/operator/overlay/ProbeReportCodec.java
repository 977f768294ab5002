package dev.berth.operator.overlay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredValue;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probe reports as an informer reads them, named {@code <network>/<host>}. A report that does not decode (another
 * version's, or hand-written) reads as one naming no peer: it keeps no host Unknown, which is the cautious side for a
 * host that has lost its record anyway.
 */
public final class ProbeReportCodec implements EtcdInformer.Codec<ProbeReport> {
    private static final Logger log = LoggerFactory.getLogger(ProbeReportCodec.class);

    private final KeyLayout keys;
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public ProbeReportCodec(KeyLayout keys) {
        this.keys = keys;
    }

    @Override
    public Optional<String> name(String key) {
        if (!key.startsWith(keys.probesPrefix())) {
            return Optional.empty();
        }
        String name = key.substring(keys.probesPrefix().length());
        int slash = name.indexOf('/');
        return slash > 0 && slash < name.length() - 1 && name.indexOf('/', slash + 1) < 0 ? Optional.of(name) : Optional.empty();
    }

    @Override
    public ProbeReport decode(String name, StoredValue value) {
        int slash = name.indexOf('/');
        String network = name.substring(0, slash);
        String host = name.substring(slash + 1);
        try {
            ProbeReport report = json.readValue(value.value(), ProbeReport.class);
            // The key says whose report it is; a body naming someone else is not trusted for anybody.
            if (report != null && host.equals(report.host()) && network.equals(report.network())) {
                return report;
            }
            log.warn("probes/{}: report at revision {} names host {} network {}; ignored", name, value.modRevision(),
                    report == null ? null : report.host(), report == null ? null : report.network());
        } catch (JsonProcessingException e) {
            log.warn("probes/{}: report at revision {} does not decode ({}); ignored", name, value.modRevision(),
                    e.getOriginalMessage());
        }
        return new ProbeReport(host, network, 0, 0, null, Map.of());
    }

    @Override
    public long revision(ProbeReport value) {
        // Small and one per Network and host: decode again on a re-list rather than keep revisions around.
        return -1;
    }
}
