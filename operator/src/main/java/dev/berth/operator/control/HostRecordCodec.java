package dev.berth.operator.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredValue;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host records as the overlay reads them. A record that does not decode (a newer or broken writer) keeps the
 * host's last good record: an unreadable value is not a host that left, and dropping it would cut that host off
 * every FDB. A host never read well has no underlay address and is skipped until it writes a good record.
 */
public final class HostRecordCodec implements EtcdInformer.Codec<HostRecord> {
    private static final Logger log = LoggerFactory.getLogger(HostRecordCodec.class);

    private final KeyLayout keys;
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public HostRecordCodec(KeyLayout keys) {
        this.keys = keys;
    }

    @Override
    public Optional<String> name(String key) {
        return key.startsWith(keys.hostsPrefix()) ? Optional.of(key.substring(keys.hostsPrefix().length())) : Optional.empty();
    }

    @Override
    public HostRecord decode(String name, StoredValue value) {
        return decode(name, value, null);
    }

    @Override
    public HostRecord decode(String name, StoredValue value, HostRecord previous) {
        try {
            return json.readValue(value.value(), HostRecord.class);
        } catch (JsonProcessingException e) {
            log.warn("host/{}: record at revision {} does not decode ({}); {}", name, value.modRevision(),
                    e.getOriginalMessage(), previous != null && previous.underlayIp() != null
                            ? "keeping its last good record" : "skipped until it writes one");
            return previous != null ? previous : new HostRecord(name, null, null, null, null, null, null, null);
        }
    }

    @Override
    public long revision(HostRecord value) {
        // Records are small and few: decode again on every re-list rather than keep revisions around.
        return -1;
    }
}
