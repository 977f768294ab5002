package dev.berth.operator.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredValue;
import org.junit.jupiter.api.Test;

/** A host record that does not decode must not make its host look gone (its FDB entries would be deleted). */
class HostRecordCodecTest {
    private final KeyLayout keys = new KeyLayout("/berth");
    private final HostRecordCodec codec = new HostRecordCodec(keys);

    private StoredValue value(String json, long revision) {
        return new StoredValue(keys.host("h2"), json, revision, 1);
    }

    @Test
    void aBrokenRecordKeepsTheLastGoodOne() {
        HostRecord good = codec.decode("h2", value("""
                {"name":"h2","underlayIp":"10.9.0.12","networks":[{"name":"ov","vni":4242,"port":4789}]}""", 5));
        assertEquals("10.9.0.12", good.underlayIp());
        HostRecord afterGarbage = codec.decode("h2", value("{\"name\": \"h2\", \"underlayIp\": ", 6), good);
        assertEquals(good, afterGarbage);
    }

    @Test
    void aHostNeverReadWellHasNoUnderlayAddress() {
        assertNull(codec.decode("h2", value("not json", 3), null).underlayIp());
    }

    @Test
    void theApiEndpointIsReadAndARecordWithoutItHasNone() throws Exception {
        HostRecord old = codec.decode("h2", value("{\"name\":\"h2\",\"underlayIp\":\"10.9.0.12\"}", 4));
        assertNull(old.api());
        HostRecord withApi = old.withNetworks(java.util.List.of(), "now");
        HostRecord published = new HostRecord(old.name(), old.labels(), old.version(), old.startedAt(), old.underlayIp(),
                old.vtepMac(), old.networks(), old.lastSeen(), null, null,
                new HostRecord.ApiEndpoint("10.9.0.12:7443", "ab".repeat(32)));
        HostRecord read = codec.decode("h2", value(new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(published), 7));
        assertEquals(published, read);
        assertEquals(published.api(), read.withNetworks(java.util.List.of(), "later").api());
        assertNull(withApi.api());
    }
}
