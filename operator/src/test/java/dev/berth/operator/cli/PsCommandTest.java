package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ReplicaStatus;
import dev.berth.crds.status.ServiceCount;
import dev.berth.operator.CliRun;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.StackYaml;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.schedule.MemberRecord;
import dev.berth.operator.store.StatusCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth ps} through the real command line against the real etcd, with the status rows operators would write
 * put there by hand: one in the shape written before status carried container details (it must still read), one from
 * a host whose record is gone (Unknown).
 */
class PsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final EtcdFixture etcd = new EtcdFixture();

    @TempDir
    Path dir;

    @Test
    void olderStatusReadsAndHostsThatAreNotAliveAreUnknown() throws Exception {
        Path file = Files.writeString(dir.resolve("web.yaml"), StackYaml.stack("web").service("httpd").replicas(2).yaml());
        assertEquals(0, etcd.cli("apply", "-f", file.toString()).exit());
        etcd.kv.put(etcd.keys.host("hb1"), JSON.writeValueAsString(new HostRecord("hb1", Map.of(), "test",
                Instant.now().toString(), "10.9.0.1", HostRecord.vtepMacFor("hb1"), List.of(), Instant.now().toString(),
                4000L, 8L << 30)));
        Instant lastSeen = Instant.now().minusSeconds(125);
        etcd.kv.put(etcd.keys.member("hb4"), JSON.writeValueAsString(new MemberRecord("hb4", lastSeen.toString(),
                lastSeen.plusSeconds(5).toString())));
        // Written by an operator from before ps: no image, restarts, times or exit code.
        etcd.kv.put(etcd.keys.status("stack", "web", "hb1"), "{\"host\":\"hb1\",\"observedRevision\":1,\"conditions\":[],"
                + "\"services\":{\"httpd\":{\"running\":1,\"desired\":1}},\"lastError\":null,\"since\":null,"
                + "\"replicas\":[{\"name\":\"web-httpd-1\",\"service\":\"httpd\",\"replica\":1,\"state\":\"running\","
                + "\"health\":null,\"reason\":\"\"}]}");
        String created = Instant.now().minusSeconds(600).toString();
        etcd.kv.put(etcd.keys.status("stack", "web", "hb4"), new StatusCodec().write(new ObjectStatus("hb4", 1,
                List.of(new Condition(Condition.READY, "True", "Running", "", created)),
                Map.of("httpd", new ServiceCount(1, 1)), null, created, List.of(new ReplicaStatus("web-httpd-2", "httpd", 2,
                "running", "healthy", "", "busybox:1.36", "sha256:0123456789abcdef", 2, created, created, 137)))));

        CliRun table = etcd.cli("ps");
        assertEquals(0, table.exit(), table.err());
        List<String> lines = table.out().lines().toList();
        assertEquals(3, lines.size(), table.out());
        assertTrue(lines.get(0).matches("HOST +NAME +IMAGE +STATE +HEALTH +RESTARTS +AGE +EXIT"), table.out());
        assertTrue(lines.get(1).matches("hb1 +web-httpd-1 +- +running +- +- +- +-"), table.out());
        assertTrue(lines.get(2).matches("hb4 +web-httpd-2 +busybox:1.36 +Unknown +healthy +2 +10m +137"), table.out());

        CliRun wide = etcd.cli("ps", "web", "-o", "wide", "--no-headers");
        assertEquals(0, wide.exit(), wide.err());
        assertFalse(wide.out().contains("HOST"), wide.out());
        String hb4 = wide.out().lines().filter(l -> l.startsWith("hb4")).findFirst().orElseThrow();
        assertTrue(hb4.contains(" sha256:0123456789ab ") && hb4.contains("host hb4 down"), wide.out());

        JsonNode list = JSON.readTree(etcd.cli("ps", "-o", "json").out());
        assertEquals("v1", list.path("apiVersion").asText());
        assertEquals("List", list.path("kind").asText());
        assertEquals(2, list.path("items").size(), list.toString());
        JsonNode old = list.path("items").get(0);
        assertEquals("hb1", old.path("host").asText());
        assertTrue(old.path("restarts").isNull() && old.path("exitCode").isNull() && old.path("image").isNull(), old.toString());
        JsonNode unknown = list.path("items").get(1);
        assertEquals("Unknown", unknown.path("state").asText());
        assertEquals(137, unknown.path("exitCode").asInt());
        assertEquals(created, unknown.path("createdAt").asText());
        assertTrue(unknown.path("reason").asText().contains("hb4"), unknown.toString());

        JsonNode yaml = new YAMLMapper().readTree(etcd.cli("ps", "web", "-o", "yaml").out());
        assertEquals(2, yaml.path("items").size());
        assertNull(new StatusCodec().read(etcd.kv.get(etcd.keys.status("stack", "web", "hb1")).orElseThrow().value())
                .orElseThrow().replicas().get(0).restarts());
    }

    @Test
    void aStackIsNamedAsNameKindSlashNameOrKindName() throws Exception {
        for (String name : List.of("web", "db")) {
            Path file = Files.writeString(dir.resolve(name + ".yaml"), StackYaml.stack(name).service("httpd").yaml());
            assertEquals(0, etcd.cli("apply", "-f", file.toString()).exit());
            String created = Instant.now().toString();
            etcd.kv.put(etcd.keys.status("stack", name, "hb1"), new StatusCodec().write(new ObjectStatus("hb1", 1,
                    List.of(new Condition(Condition.READY, "True", "Running", "", created)),
                    Map.of("httpd", new ServiceCount(1, 1)), null, created, List.of(new ReplicaStatus(name + "-httpd-1",
                    "httpd", 1, "running", "healthy", "", "busybox:1.36", "sha256:0123456789abcdef", 0, created, created,
                    null)))));
        }
        CliRun bare = etcd.cli("ps", "web", "--no-headers");
        assertEquals(0, bare.exit(), bare.err());
        assertTrue(bare.out().lines().allMatch(l -> l.contains("web-httpd-1")) && !bare.out().isEmpty(), bare.out());
        for (List<String> named : List.of(List.of("stack/web"), List.of("stack", "web"), List.of("st", "web"))) {
            List<String> args = new java.util.ArrayList<>(List.of("ps"));
            args.addAll(named);
            args.add("--no-headers");
            CliRun run = etcd.cli(args.toArray(String[]::new));
            assertEquals(0, run.exit(), named + ": " + run.err());
            assertEquals(bare.out(), run.out(), named.toString());
        }
        CliRun network = etcd.cli("ps", "network/web");
        assertEquals(2, network.exit(), network.err());
        assertEquals(1, network.err().lines().count(), network.err());
    }

    @Test
    void anUnknownStackIsOneLineAndExitOne() {
        CliRun run = etcd.cli("ps", "nosuch");
        assertEquals(1, run.exit());
        assertEquals("error: stack/nosuch not found", run.err().strip());
        assertEquals("", run.out());
    }
}
