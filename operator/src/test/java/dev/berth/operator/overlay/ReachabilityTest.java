package dev.berth.operator.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.reconcilers.overlay.Peer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which hosts without a record are Unknown, from hand-built probe reports (pure). */
class ReachabilityTest {
    private static final Instant NOW = Instant.parse("2026-12-02T03:00:00Z");
    private static final Duration GRACE = Duration.ofSeconds(20);

    private static ProbeReport.PeerProbe ok(String ip) {
        return new ProbeReport.PeerProbe(ProbeReport.OK, 300L, "2026-12-02T02:50:00Z", ip, "10.9.0.1");
    }

    private static ProbeReport.PeerProbe failing(String ip, Duration ago) {
        return new ProbeReport.PeerProbe(ProbeReport.UNREACHABLE, null, NOW.minus(ago).toString(), ip, "10.9.0.1");
    }

    private static ProbeReport report(String host, String network, Map<String, ProbeReport.PeerProbe> peers) {
        return new ProbeReport(host, network, 1450, 1500, "2026-12-02T02:59:00Z", peers);
    }

    private static Reachability of(Set<String> live, ProbeReport... reports) {
        return new Reachability(live, List.of(reports), NOW, GRACE);
    }

    @Test
    void aHostWithoutRecordThatALiveHostReachesIsUnknownAndLingersOnThatNetworkOnly() {
        Reachability r = of(Set.of("hb1", "hb2"),
                report("hb1", "front", Map.of("hb2", ok("10.0.0.12"), "hb3", ok("10.0.0.13"))));
        assertEquals(Set.of("hb3"), r.unknownHosts(), "hb2 is live, not Unknown");
        assertEquals(List.of(new Peer("hb3", "10.0.0.13", Set.of("front"))), r.lingeringPeers("front"));
        assertEquals(List.of(), r.lingeringPeers("back"), "no report on back names hb3");
        assertEquals(Optional.empty(), r.nextChange(), "an answering host stays until a report says otherwise");
    }

    @Test
    void failingProbesKeepAHostForTheGraceOnlyAndSayWhenItEnds() {
        Reachability within = of(Set.of("hb1"), report("hb1", "front", Map.of("hb3", failing("10.0.0.13", Duration.ofSeconds(5)))));
        assertEquals(Set.of("hb3"), within.unknownHosts());
        assertEquals(Optional.of(NOW.plusSeconds(15)), within.nextChange(), "grace ends 20 s after the probes began to fail");
        assertEquals(Duration.ofSeconds(15).plusMillis(100), within.untilNextChange().orElseThrow());

        Reachability after = of(Set.of("hb1"), report("hb1", "front", Map.of("hb3", failing("10.0.0.13", GRACE))));
        assertEquals(Set.of(), after.unknownHosts(), "exactly at the end of the grace it is gone");
        assertEquals(List.of(), after.lingeringPeers("front"));
        assertEquals(Optional.empty(), after.nextChange());
    }

    @Test
    void mtuProblemsStillCountAsAnsweringAndNoFdbDoesNot() {
        ProbeReport.PeerProbe mtu = new ProbeReport.PeerProbe(ProbeReport.MTU, 300L, "2026-12-02T02:00:00Z", "10.0.0.13", null);
        ProbeReport.PeerProbe nofdb = new ProbeReport.PeerProbe(ProbeReport.NO_FDB, null, "2026-12-02T02:00:00Z", "10.0.0.14", null);
        Reachability r = of(Set.of("hb1"), report("hb1", "front", Map.of("hb3", mtu, "hb4", nofdb)));
        assertEquals(Set.of("hb3"), r.unknownHosts());
    }

    /**
     * The reporter's FDB entry for hb3 went a second ago because hb3's grace ended: nofdb since then must not start a
     * grace of its own, or hb3 would come back, get its entries again, fail again, and so on.
     */
    @Test
    void aJustRemovedFdbEntryDoesNotBringTheHostBack() {
        ProbeReport.PeerProbe nofdb = new ProbeReport.PeerProbe(ProbeReport.NO_FDB, null, NOW.minusSeconds(1).toString(),
                "10.0.0.13", null);
        Reachability r = of(Set.of("hb1"), report("hb1", "front", Map.of("hb3", nofdb)));
        assertEquals(Set.of(), r.unknownHosts());
        assertEquals(List.of(), r.lingeringPeers("front"));
        assertEquals(Optional.empty(), r.nextChange());
    }

    @Test
    void reportsOfHostsWithoutARecordAreNotTrusted() {
        Reachability r = of(Set.of("hb1"), report("hb3", "front", Map.of("hb4", ok("10.0.0.14"))));
        assertEquals(Set.of(), r.unknownHosts(), "hb3's last word about hb4 may be old");
    }

    @Test
    void oneAnsweringReporterIsEnoughAndItsAddressIsPreferred() {
        Reachability r = of(Set.of("hb1", "hb2"),
                report("hb1", "front", Map.of("hb3", failing("10.0.0.99", Duration.ofSeconds(3)))),
                report("hb2", "front", Map.of("hb3", ok("10.0.0.13"))));
        assertEquals(Set.of("hb3"), r.unknownHosts());
        assertEquals(List.of(new Peer("hb3", "10.0.0.13", Set.of("front"))), r.lingeringPeers("front"),
                "the address probes answer on, not the one they fail on");
    }

    @Test
    void badInputInReportsReachesNobody() {
        ProbeReport.PeerProbe noSince = new ProbeReport.PeerProbe(ProbeReport.UNREACHABLE, null, null, "10.0.0.13", null);
        ProbeReport.PeerProbe badSince = new ProbeReport.PeerProbe(ProbeReport.UNREACHABLE, null, "yesterday", "10.0.0.14", null);
        ProbeReport.PeerProbe noAddress = ok(null);
        Reachability r = of(Set.of("hb1"), report("hb1", "front", Map.of("hb3", noSince, "hb4", badSince, "hb5", noAddress)),
                report("hb1", "back", Map.of("hb1", ok("10.0.0.11"))));
        assertEquals(Set.of("hb5"), r.unknownHosts(), "hb5 answers; the others have no usable time");
        assertEquals(List.of(), r.lingeringPeers("front"), "without an underlay address nothing can be programmed");
        assertEquals(List.of(), r.lingeringPeers("back"), "a report naming its own host is ignored");
        assertEquals(Set.of(), Reachability.none(Set.of("hb1")).unknownHosts());
    }

    @Test
    void theSignatureChangesWithWhatReadersActOnAndNotWithRoundTripTimes() {
        ProbeReport.PeerProbe faster = new ProbeReport.PeerProbe(ProbeReport.OK, 120L, "2026-12-02T02:50:00Z", "10.0.0.13", null);
        String before = of(Set.of("hb1"), report("hb1", "front", Map.of("hb3", ok("10.0.0.13")))).signature();
        assertEquals(before, of(Set.of("hb1"), report("hb1", "front", Map.of("hb3", faster))).signature());
        assertNotEquals(before, of(Set.of("hb1"), report("hb1", "front",
                Map.of("hb3", failing("10.0.0.13", Duration.ofSeconds(1))))).signature(), "a grace began");
        assertNotEquals(before, of(Set.of("hb1", "hb3"), report("hb1", "front", Map.of("hb3", ok("10.0.0.13")))).signature(),
                "hb3 came back");
        assertTrue(before.contains("front/hb3@10.0.0.13"), before);
    }
}
