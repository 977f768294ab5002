package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.CliRun;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules across Networks are checked at apply, against what etcd holds (a refused apply changes nothing), and by
 * validate, across the files it is given.
 */
class NetworkApplyTest {
    private static String network(String name, int vni, String subnet) {
        return Manifest.network(name, "vni: " + vni + "\nsubnet: " + subnet);
    }

    @Test
    void duplicateVniAndOverlappingSubnetAreRefused(@TempDir Path dir) throws Exception {
        try (EtcdFixture etcd = new EtcdFixture()) {
            Path a = dir.resolve("a.yaml");
            Files.writeString(a, network("a", 7, "10.1.0.0/16"));
            assertEquals(0, etcd.cli("apply", "-f", a.toString()).exit());
            Map<String, String> before = etcd.snapshot();

            Path b = dir.resolve("b.yaml");
            Files.writeString(b, network("b", 7, "10.2.0.0/16"));
            CliRun dup = etcd.cli("apply", "-f", b.toString());
            assertEquals(1, dup.exit());
            assertTrue(dup.err().contains(b + ":6:8: spec.vni: VNI 7 is already used by network \"a\""), dup.err());

            Path c = dir.resolve("c.yaml");
            Files.writeString(c, network("c", 8, "10.1.128.0/17"));
            CliRun overlap = etcd.cli("apply", "-f", c.toString());
            assertEquals(1, overlap.exit());
            assertTrue(overlap.err().contains("spec.subnet: subnet 10.1.128.0/17 overlaps 10.1.0.0/16 of network \"a\""),
                    overlap.err());
            assertEquals(before, etcd.snapshot(), "nothing written");

            Path a2 = dir.resolve("a2.yaml");
            Files.writeString(a2, network("a", 7, "10.1.0.0/17"));
            assertEquals(0, etcd.cli("apply", "-f", a2.toString()).exit(),
                    "re-applying a Network with its own VNI is no conflict");
            CliRun get = etcd.cli("get", "networks");
            assertTrue(get.out().contains("a      7     10.1.0.0/17"), get.out());
        }
    }

    @Test
    void validateRefusesOverlappingSubnetsInOneFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("networks.yaml");
        Files.writeString(file, network("a", 7, "10.1.0.0/16") + "---\n" + network("b", 8, "10.1.128.0/17"));
        CliRun run = CliRun.of(null, null, "validate", "-f", file.toString());
        assertEquals(1, run.exit(), run.out() + run.err());
        assertTrue(run.err().contains(file + ":15:11: spec.subnet: subnet 10.1.128.0/17 overlaps 10.1.0.0/16 of"
                + " network \"a\" (" + file + ":7)"), run.err());
        assertTrue(run.err().contains("1 error;"), "the pair is reported once: " + run.err());
    }

    @Test
    void validateRefusesADuplicateVniAcrossFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), network("a", 7, "10.1.0.0/16"));
        Files.writeString(dir.resolve("b.yaml"), network("b", 7, "10.2.0.0/16"));
        CliRun run = CliRun.of(null, null, "validate", "-f", dir.toString());
        assertEquals(1, run.exit(), run.out() + run.err());
        assertTrue(run.err().contains(dir.resolve("b.yaml") + ":6:8: spec.vni: VNI 7 is already used by network"
                + " \"a\" (" + dir.resolve("a.yaml") + ":6)"), run.err());
    }
}
