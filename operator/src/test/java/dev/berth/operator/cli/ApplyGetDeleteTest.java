package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.CliRun;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.store.StoredValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** apply / get / describe / delete through the real command line against the real etcd. */
class ApplyGetDeleteTest {
    private static final Path EXAMPLES = Path.of("..", "examples", "single");
    /** The cluster demo's (scripts/demo.sh applies them on three hosts; here they only validate). */
    private static final Path CLUSTER_EXAMPLES = Path.of("..", "examples", "cluster");

    @RegisterExtension
    final EtcdFixture etcd = new EtcdFixture();

    private CliRun berth(String... args) {
        return etcd.cli(args);
    }

    @Test
    void examplesValidateWithoutEtcd() {
        CliRun run = CliRun.raw("validate", "-f", EXAMPLES.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("stack/web valid"), run.out());
        assertTrue(run.out().contains("stack/app valid"), run.out());
        CliRun cluster = CliRun.raw("validate", "-f", CLUSTER_EXAMPLES.toString());
        assertEquals(0, cluster.exit(), cluster.err());
        assertEquals(List.of("gitsource/demo-git valid", "network/demo-net valid", "route/web valid", "stack/shell valid",
                "stack/web valid"), cluster.out().lines().sorted().toList());
    }

    @Test
    void applyCreatesThenIsUnchangedThenConfigured(@TempDir Path dir) throws Exception {
        CliRun first = berth("apply", "-f", EXAMPLES.toString());
        assertEquals(0, first.exit(), first.err());
        assertEquals(List.of("stack/app created", "stack/web created"), first.out().lines().sorted().toList());

        CliRun again = berth("apply", "-f", EXAMPLES.toString());
        assertEquals(List.of("stack/app unchanged", "stack/web unchanged"), again.out().lines().sorted().toList());

        // The key holds the YAML as the person wrote it, comments included.
        String stored = etcd.kv.get(etcd.prefix + "/v1/stack/web").orElseThrow().value();
        assertTrue(stored.startsWith("# A small web stack"), stored);
        assertTrue(stored.contains("image: berth-test/busybox:1"), stored);

        String changed = Files.readString(EXAMPLES.resolve("web.yaml")).replace("memory: 64m", "memory: 96m");
        Path file = dir.resolve("web.yaml");
        Files.writeString(file, changed);
        CliRun configured = berth("apply", "-f", file.toString());
        assertEquals("stack/web configured\n", configured.out());
        assertTrue(etcd.kv.get(etcd.prefix + "/v1/stack/web").orElseThrow().value().contains("memory: 96m"));
    }

    @Test
    void reformattedYamlIsUnchanged(@TempDir Path dir) throws Exception {
        assertEquals(0, berth("apply", "-f", EXAMPLES.resolve("web.yaml").toString()).exit());
        String reformatted = Files.readString(EXAMPLES.resolve("web.yaml"))
                .replace("# A small web stack", "# comments do not count");
        Path file = dir.resolve("web.yaml");
        Files.writeString(file, reformatted);
        assertEquals("stack/web unchanged\n", berth("apply", "-f", file.toString()).out());
    }

    @Test
    void applyWritesAllObjectsInOneTransaction() {
        assertEquals(0, berth("apply", "-f", EXAMPLES.toString()).exit());
        StoredValue web = etcd.kv.get(etcd.prefix + "/v1/stack/web").orElseThrow();
        StoredValue app = etcd.kv.get(etcd.prefix + "/v1/stack/app").orElseThrow();
        assertEquals(web.modRevision(), app.modRevision(), "both objects written by the same transaction");
    }

    @Test
    void getListsDescribeShowsAndDeleteRemoves() {
        berth("apply", "-f", EXAMPLES.toString());
        CliRun get = berth("get", "stacks");
        assertEquals(0, get.exit(), get.err());
        List<String> lines = get.out().lines().toList();
        assertTrue(lines.get(0).startsWith("NAME"), get.out());
        assertTrue(lines.get(0).contains("READY") && lines.get(0).contains("AGE"), get.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("app ") && l.contains("Pending")), get.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("web ")), get.out());

        CliRun yaml = berth("get", "stack", "web", "-o", "yaml");
        assertTrue(yaml.out().contains("name: web"), yaml.out());
        CliRun json = berth("get", "st", "web", "-o", "json");
        assertTrue(json.out().contains("\"kind\" : \"Stack\""), json.out());
        CliRun wide = berth("get", "stacks", "-o", "wide");
        assertTrue(wide.out().contains("all hosts"), wide.out());

        CliRun describe = berth("describe", "stack", "app");
        assertEquals(0, describe.exit(), describe.err());
        assertTrue(describe.out().contains("api: image berth-test/busybox:1"), describe.out());

        CliRun delete = berth("delete", "stack", "web");
        assertEquals("stack/web deleted\n", delete.out());
        assertTrue(etcd.kv.get(etcd.prefix + "/v1/stack/web").isEmpty());
        CliRun deleteFile = berth("delete", "-f", EXAMPLES.resolve("app.yaml").toString());
        assertEquals("stack/app deleted\n", deleteFile.out());
        assertEquals(List.of(), etcd.kv.list(etcd.prefix + "/").values());

        CliRun missing = berth("delete", "stack", "web");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("stack/web not found"), missing.err());
        assertEquals(1, berth("get", "stack", "web").exit());
    }

    @Test
    void applyFromStdinIsNotNeededForDryRun() {
        CliRun dry = berth("apply", "--dry-run", "-f", EXAMPLES.toString());
        assertEquals(0, dry.exit(), dry.err());
        assertTrue(dry.out().contains("stack/web created (dry run)"), dry.out());
        assertEquals(List.of(), etcd.kv.list(etcd.prefix + "/").values(), "a dry run writes nothing");
    }

    @Test
    void badUsageExitsTwo() {
        assertEquals(2, berth("get", "stakks").exit());
        assertEquals(2, CliRun.raw("apply").exit());
        assertEquals(2, CliRun.raw("frobnicate").exit());
        assertEquals(2, CliRun.raw().exit());
        CliRun help = CliRun.raw("apply", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("--etcd-endpoints"), help.out());
    }

    @Test
    void unreachableEtcdIsOneLineAndExitOne() {
        long start = System.nanoTime();
        CliRun run = CliRun.raw("get", "stacks", "--etcd-endpoints=http://127.0.0.1:1", "--etcd-timeout=3");
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertEquals(1, run.exit());
        assertTrue(run.err().startsWith("error: etcd at http://127.0.0.1:1"), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(seconds < 10, "took " + seconds + "s");
    }
}
