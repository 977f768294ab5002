package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.control.HostRecord;
import dev.berth.operator.overlay.ProbeReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The doctor's matrix and hints from host records and probe reports, without etcd. */
class DoctorMatrixTest {
    private static final String T = "2026-01-01T10:00:00Z";
    private static final DoctorMatrix.NetworkFacts NET = new DoctorMatrix.NetworkFacts("backend", 4242, 4789);

    private static HostRecord host(String name, String ip) {
        return new HostRecord(name, Map.of(), "v", T, ip, "m", List.of(new HostRecord.HostNetwork("backend", 4242, 4789)), T);
    }

    private static ProbeReport.PeerProbe peer(String state, String ip) {
        return new ProbeReport.PeerProbe(state, "ok".equals(state) ? 300L : null, T, ip, "10.70.0.1");
    }

    private static final Map<String, HostRecord> LIVE = Map.of("hb1", host("hb1", "10.1.0.11"), "hb2", host("hb2", "10.1.0.12"),
            "hb3", host("hb3", "10.1.0.13"));

    /** Every host reports every other as {@code state}, but the pairs given in {@code overrides} ("hb1>hb3"). */
    private static List<ProbeReport> reports(Map<String, String> overrides, int hb3UnderlayMtu) {
        List<ProbeReport> reports = new ArrayList<>();
        for (String from : List.of("hb1", "hb2", "hb3")) {
            Map<String, ProbeReport.PeerProbe> peers = new TreeMap<>();
            for (String to : List.of("hb1", "hb2", "hb3")) {
                if (!from.equals(to)) {
                    peers.put(to, peer(overrides.getOrDefault(from + ">" + to, "ok"), LIVE.get(to).underlayIp()));
                }
            }
            reports.add(new ProbeReport(from, "backend", 1450, from.equals("hb3") ? hb3UnderlayMtu : 1500, T, peers));
        }
        return reports;
    }

    @Test
    void allOkIsAMatrixOfOkAndNoProblem() {
        DoctorMatrix.Outcome outcome = new DoctorMatrix(NET, LIVE, reports(Map.of(), 1500)).render();
        assertEquals(0, outcome.problems());
        assertEquals("""
                network/backend (VNI 4242, UDP 4789): 3 host(s); each row is the probing host, each column the probed one
                FROM \\ TO   hb1   hb2   hb3
                hb1         -     ok    ok
                hb2         ok    -     ok
                hb3         ok    ok    -
                """, outcome.text());
    }

    @Test
    void aBlockedPairIsUnreachableBothWaysWithThePortInTheHint() {
        DoctorMatrix matrix = new DoctorMatrix(NET, LIVE, reports(Map.of("hb1>hb3", "unreachable", "hb3>hb1", "unreachable"), 1500));
        DoctorMatrix.Outcome outcome = matrix.render();
        assertEquals(2, outcome.problems());
        assertEquals("unreachable", matrix.cell("hb1", "hb3"));
        assertEquals("ok", matrix.cell("hb2", "hb3"));
        assertTrue(outcome.text().contains("  hb1 -> hb3 unreachable: UDP 4789 blocked between hb1 (10.1.0.11) and hb3 (10.1.0.13)?"),
                outcome.text());
        assertTrue(outcome.text().contains("  hb3 -> hb1 unreachable: UDP 4789 blocked between hb3 (10.1.0.13) and hb1 (10.1.0.11)?"),
                outcome.text());
    }

    @Test
    void anMtuProblemNamesTheLinkThatCarriesLess() {
        DoctorMatrix.Outcome outcome = new DoctorMatrix(NET, LIVE, reports(Map.of("hb1>hb3", "mtu", "hb3>hb1", "mtu"), 1400)).render();
        assertEquals(2, outcome.problems());
        assertTrue(outcome.text().contains("  hb1 -> hb3 mtu: Network MTU 1450 needs 1500-byte underlay packets;"
                + " hb3's underlay link carries 1400"), outcome.text());
        assertTrue(outcome.text().contains("  hb3 -> hb1 mtu: Network MTU 1450 needs 1500-byte underlay packets;"
                + " hb3's underlay link carries 1400"), outcome.text());
        // Both ends carry enough: a hop between them does not.
        String between = new DoctorMatrix(NET, LIVE, reports(Map.of("hb1>hb2", "mtu"), 1500)).render().text();
        assertTrue(between.contains("hb1 -> hb2 mtu: Network MTU 1450 needs 1500-byte underlay packets; both underlay links"
                + " carry that, so a hop between hb1 (10.1.0.11) and hb2 (10.1.0.12) does not"), between);
    }

    @Test
    void noFdbNoReportAndAnExpiredLease() {
        Map<String, HostRecord> live = Map.of("hb1", LIVE.get("hb1"), "hb2", LIVE.get("hb2"));
        List<ProbeReport> reports = new ArrayList<>(reports(Map.of("hb1>hb2", "nofdb"), 1500));
        // hb2 has not probed yet; hb3's record expired but hb1 still reaches it.
        reports.removeIf(r -> r.host().equals("hb2"));
        DoctorMatrix matrix = new DoctorMatrix(NET, live, reports);
        assertEquals(List.of("hb1", "hb2", "hb3"), matrix.hosts());
        assertEquals("no-fdb", matrix.cell("hb1", "hb2"));
        assertEquals("lease-expired", matrix.cell("hb1", "hb3"));
        assertEquals("no-report", matrix.cell("hb2", "hb1"));
        assertEquals("lease-expired", matrix.cell("hb2", "hb3"));
        assertEquals("-", matrix.cell("hb3", "hb1"), "a host without a live record vouches for nothing");
        DoctorMatrix.Outcome outcome = matrix.render();
        assertEquals(4, outcome.problems());
        assertTrue(outcome.text().contains("hb1 -> hb2 no-fdb: hb1 has no FDB entry towards hb2 (10.1.0.12) on bv4242"), outcome.text());
        assertTrue(outcome.text().contains("hb1 -> hb3 lease-expired: hb3 has no live host record (its operator stopped or"
                + " cannot reach etcd), but hb1 still reaches it through the overlay"), outcome.text());
        assertTrue(outcome.text().contains("hb2 -> hb1 no-report: hb2 published no probe of hb1"), outcome.text());
    }

    @Test
    void aLoneHostHasNothingToProbe() {
        DoctorMatrix.Outcome outcome = new DoctorMatrix(NET, Map.of("hb1", LIVE.get("hb1")), List.of()).render();
        assertEquals(0, outcome.problems());
        assertTrue(outcome.text().contains("nothing to probe"), outcome.text());
    }
}
