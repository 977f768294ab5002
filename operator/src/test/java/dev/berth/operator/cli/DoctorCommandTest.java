package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.operator.CliRun;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.Manifest;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.overlay.ProbeReport;
import dev.berth.operator.overlay.ProbeReportStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code berth doctor} through the real command line against the real etcd; the host records and probe reports the
 * operators would write are written here straight into etcd (DoctorBedTest has operators write them).
 */
class DoctorCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NOW = Instant.now().toString();

    @RegisterExtension
    final EtcdFixture etcd = new EtcdFixture();

    private void network(String name, int vni, int port) {
        etcd.store.apply(new ManifestParser(Kinds.standard()).parse("n.yaml", Manifest.network(name,
                "vni: " + vni + "\nsubnet: 10." + (vni % 200) + ".0.0/16\nport: " + port)).resources());
    }

    private void host(String name, String ip, String... networks) throws Exception {
        etcd.kv.put(etcd.keys.host(name), JSON.writeValueAsString(new HostRecord(name, Map.of(), "test", NOW, ip,
                HostRecord.vtepMacFor(name), java.util.Arrays.stream(networks)
                .map(n -> new HostRecord.HostNetwork(n, 1, 4789)).toList(), NOW)));
    }

    private void report(String network, String from, Map<String, String> states) {
        Map<String, ProbeReport.PeerProbe> peers = new java.util.TreeMap<>();
        states.forEach((to, state) -> peers.put(to, new ProbeReport.PeerProbe(state, 250L, NOW, "10.9.0." + to.charAt(2), "10.70.0.1")));
        etcd.kv.put(etcd.keys.probe(network, from), ProbeReportStore.encode(new ProbeReport(from, network, 1450, 1500, NOW, peers)));
    }

    @Test
    void exitsZeroWhenEveryCellIsOkAndOneWhenOneIsNot() throws Exception {
        network("front", 4301, 4789);
        network("back", 4302, 8472);
        host("hb1", "10.9.0.1", "front", "back");
        host("hb2", "10.9.0.2", "front", "back");
        report("front", "hb1", Map.of("hb2", "ok"));
        report("front", "hb2", Map.of("hb1", "ok"));
        report("back", "hb1", Map.of("hb2", "unreachable"));
        report("back", "hb2", Map.of("hb1", "ok"));

        CliRun front = etcd.cli("doctor", "network", "front");
        assertEquals(0, front.exit(), front.out() + front.err());
        assertTrue(front.out().contains("all ok: 1 Network(s) checked"), front.out());

        CliRun all = etcd.cli("doctor");
        assertEquals(1, all.exit(), all.out() + all.err());
        assertTrue(all.out().contains("network/back (VNI 4302, UDP 8472)"), all.out());
        assertTrue(all.out().contains("  hb1 -> hb2 unreachable: UDP 8472 blocked between hb1 (10.9.0.1) and hb2 (10.9.0.2)?"),
                all.out());
        assertTrue(all.out().contains("1 problem(s) in 2 Network(s) checked"), all.out());
    }

    @Test
    void anUnknownNetworkOrBadUsageIsAnError() {
        CliRun missing = etcd.cli("doctor", "network", "nope");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("network/nope not found"), missing.err());
        CliRun usage = etcd.cli("doctor", "stack", "web");
        assertEquals(2, usage.exit(), usage.out() + usage.err());
        CliRun help = CliRun.raw("doctor", "--help");
        assertEquals(0, help.exit());
        for (String cell : List.of("ok", "unreachable", "mtu", "no-fdb", "lease-expired", "no-report", "Exit code 1")) {
            assertTrue(help.out().contains(cell), "--help names " + cell + ":\n" + help.out());
        }
    }
}
