package dev.berth.operator.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.control.HostRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When a probe report is written, and what its peers' {@code since} say; whom a host probes. */
class ProbeTrackerTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private final ProbeTracker tracker = new ProbeTracker();

    private static ProbeTracker.Observation seen(String state, Long rtt) {
        return new ProbeTracker.Observation(state, rtt, "10.1.0.12", "10.70.1.1");
    }

    private ProbeTracker.Update round(Map<String, ProbeTracker.Observation> observed, Instant at) {
        ProbeTracker.Update update = tracker.next("hb1", "net", 1450, 1500, observed, at);
        if (update.publish()) {
            tracker.published(update.report(), at);
        }
        return update;
    }

    @Test
    void writtenOnStateChangesOnlyAndSinceIsWhenTheStateBegan() {
        ProbeTracker.Update first = round(Map.of("hb2", seen("ok", 300L)), T0);
        assertTrue(first.publish());
        assertEquals(List.of("hb2: new -> ok"), first.changes());
        assertEquals(T0.toString(), first.report().peers().get("hb2").since());

        // Same state, another round trip, within the minute: nothing written.
        assertFalse(round(Map.of("hb2", seen("ok", 350L)), T0.plusSeconds(5)).publish());

        ProbeTracker.Update down = round(Map.of("hb2", seen("unreachable", null)), T0.plusSeconds(10));
        assertTrue(down.publish());
        assertEquals(List.of("hb2: ok -> unreachable"), down.changes());
        assertEquals(T0.plusSeconds(10).toString(), down.report().peers().get("hb2").since());

        assertFalse(round(Map.of("hb2", seen("unreachable", null)), T0.plusSeconds(15)).publish());
        ProbeTracker.Update still = tracker.next("hb1", "net", 1450, 1500, Map.of("hb2", seen("unreachable", null)),
                T0.plusSeconds(500));
        assertFalse(still.publish(), "no new round trip, no state change: nothing to write however long it lasts");
        assertEquals(T0.plusSeconds(10).toString(), still.report().peers().get("hb2").since());
    }

    @Test
    void aNewRoundTripIsWrittenAtMostOnceAMinute() {
        round(Map.of("hb2", seen("ok", 300L)), T0);
        assertFalse(round(Map.of("hb2", seen("ok", 900L)), T0.plusSeconds(59)).publish());
        ProbeTracker.Update refresh = round(Map.of("hb2", seen("ok", 900L)), T0.plusSeconds(60));
        assertTrue(refresh.publish());
        assertEquals(900L, refresh.report().peers().get("hb2").rttMicros());
        assertEquals(T0.toString(), refresh.report().peers().get("hb2").since(), "the state did not change");
        assertEquals(List.of(), refresh.changes());
    }

    @Test
    void peersComingAndGoingAndMtuChangesAreWritten() {
        round(Map.of("hb2", seen("ok", 300L)), T0);
        ProbeTracker.Update joined = round(Map.of("hb2", seen("ok", 300L), "hb3", seen("nofdb", null)), T0.plusSeconds(5));
        assertTrue(joined.publish());
        assertEquals(List.of("hb3: new -> nofdb"), joined.changes());
        ProbeTracker.Update left = round(Map.of("hb2", seen("ok", 300L)), T0.plusSeconds(10));
        assertTrue(left.publish());
        assertEquals(List.of("hb3: nofdb -> gone"), left.changes());
        ProbeTracker.Update lowered = tracker.next("hb1", "net", 1450, 1400, Map.of("hb2", seen("ok", 300L)), T0.plusSeconds(15));
        assertTrue(lowered.publish(), "the underlay MTU is part of the report");
        assertEquals(1400, lowered.report().underlayMtu());
    }

    @Test
    void sinceSurvivesARestartThroughTheStoredReport() {
        String before = T0.minus(Duration.ofHours(2)).toString();
        tracker.seed(new ProbeReport("hb1", "net", 1450, 1500, before,
                Map.of("hb2", new ProbeReport.PeerProbe("ok", 280L, before, "10.1.0.12", "10.70.1.1"))));
        ProbeTracker.Update first = round(Map.of("hb2", seen("ok", 300L)), T0);
        assertEquals(before, first.report().peers().get("hb2").since());
        assertEquals(List.of(), first.changes());
    }

    @Test
    void targetsAreTheLivePeersTakingPartAndTheUnknownOnes() {
        HostRecord.HostNetwork net = new HostRecord.HostNetwork("net", 4242, 4789);
        HostRecord hb1 = new HostRecord("hb1", Map.of(), "v", "t", "10.1.0.11", "m", List.of(net), "t");
        HostRecord hb2 = new HostRecord("hb2", Map.of(), "v", "t", "10.1.0.12", "m", List.of(net), "t");
        HostRecord other = new HostRecord("hb4", Map.of(), "v", "t", "10.1.0.14", "m", List.of(), "t");
        // hb3's record expired, but hb2 still reaches it through the overlay.
        ProbeReport fromHb2 = new ProbeReport("hb2", "net", 1450, 1500, T0.toString(),
                Map.of("hb3", new ProbeReport.PeerProbe("ok", 200L, T0.toString(), "10.1.0.13", "10.70.3.1")));
        Map<String, String> gateways = Map.of("hb1", "10.70.1.1", "hb2", "10.70.2.1", "hb4", "10.70.4.1");
        assertEquals(List.of(new ProbeTargets.Target("hb2", "10.1.0.12", "10.70.2.1"),
                        new ProbeTargets.Target("hb3", "10.1.0.13", "10.70.3.1")),
                ProbeTargets.of("hb1", "net", List.of(hb1, hb2, other), gateways, List.of(fromHb2), T0, Duration.ofSeconds(30)));
    }
}
