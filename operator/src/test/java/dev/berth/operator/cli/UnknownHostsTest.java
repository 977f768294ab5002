package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.control.HostRecord;
import dev.berth.operator.schedule.CordonRecord;
import dev.berth.operator.schedule.MemberRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What `berth get hosts` and the stack views say of a host whose record is gone but that the overlay reaches (pure). */
class UnknownHostsTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:05:00Z");

    private static HostRecord host(String name) {
        return new HostRecord(name, Map.of(), "test", "2026-12-01T11:00:00Z", null, null, List.of(), "2026-12-01T11:00:00Z");
    }

    /** hb1 alive; hb2 and hb3 without a record since 12:03:00Z; the overlay still reaches hb3 (and, oddly, hb1). */
    private static Cluster cluster(Map<String, CordonRecord> cordons) {
        return new Cluster(Map.of("hb1", host("hb1")),
                Map.of("hb1", new MemberRecord("hb1", "2026-12-01T11:00:00Z", null),
                        "hb2", new MemberRecord("hb2", "2026-12-01T12:02:41Z", "2026-12-01T12:03:00Z"),
                        "hb3", new MemberRecord("hb3", "2026-12-01T12:02:41Z", "2026-12-01T12:03:00Z")),
                cordons, Map.of(), Set.of("hb3", "hb1"));
    }

    @Test
    void aHostReachedThroughTheOverlayIsUnknownNotDown() {
        Cluster cluster = cluster(Map.of());
        assertEquals("Ready", cluster.state("hb1"), "a live host is what its record says");
        assertEquals("Down", cluster.state("hb2"));
        assertEquals("Unknown", cluster.state("hb3"));
        assertTrue(cluster.absence("hb3", NOW).contains("unknown"), cluster.absence("hb3", NOW));
        assertTrue(cluster.absence("hb2", NOW).contains("down 2m"), cluster.absence("hb2", NOW));
    }

    @Test
    void aCordonedUnknownHostSaysBoth() {
        Cluster cluster = cluster(Map.of("hb3", new CordonRecord("hb3", false, "t")));
        assertEquals("Unknown,Cordoned", cluster.state("hb3"));
    }
}
