package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ServiceCount;
import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.Manifest;
import dev.berth.operator.StackYaml;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.schedule.MemberRecord;
import dev.berth.operator.store.StatusCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** kubectl's output habits of get, hosts and version against the real etcd; every document parsed by a real parser. */
class KubectlHabitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();

    @RegisterExtension
    final EtcdFixture etcd = new EtcdFixture();

    @TempDir
    Path dir;

    private CliRun berth(String... args) {
        return etcd.cli(args);
    }

    /** web (team=web, tier=front), api (team=api), and a Ready status for web from host h1. */
    @BeforeEach
    void objects() throws Exception {
        Path file = dir.resolve("objects.yaml");
        Files.writeString(file, StackYaml.stack("web").metadata("labels: {team: web, tier: front}").yaml() + "---\n"
                + StackYaml.stack("api").metadata("labels: {team: api}").yaml() + "---\n"
                + Manifest.network("backend", "vni: 4242\nsubnet: 10.77.0.0/16"));
        CliRun apply = berth("apply", "-f", file.toString());
        assertEquals(0, apply.exit(), apply.err());
        etcd.kv.put(etcd.keys.status("stack", "web", "h1"), new StatusCodec().write(new ObjectStatus("h1", 7,
                List.of(new Condition(Condition.READY, "True", "AllRunning", "1/1", "2026-01-01T00:00:00Z")),
                Map.of("web", new ServiceCount(1, 1)), null, null)));
    }

    @Test
    void jsonAndYamlAreListsOrTheObjectWithStatusAndNoStrayFields() throws Exception {
        JsonNode list = JSON.readTree(ok(berth("get", "stacks", "-o", "json")));
        assertEquals("v1", list.path("apiVersion").asText());
        assertEquals("List", list.path("kind").asText());
        assertEquals(List.of("api", "web"), names(list));
        JsonNode web = list.path("items").get(1);
        assertEquals("Stack", web.path("kind").asText());
        JsonNode condition = web.path("status").path("h1").path("conditions").get(0);
        assertEquals("Ready", condition.path("type").asText());
        assertEquals(List.of("lastTransitionTime", "message", "reason", "status", "type"), fields(condition),
                "a condition has no stray \"true\" field");
        assertFalse(ok(berth("get", "stacks", "-o", "json")).contains("\"true\""));
        assertFalse(web.path("status").path("h1").has("ready"), "derived accessors are not stored fields");

        JsonNode one = JSON.readTree(ok(berth("get", "stack", "web", "-o", "json")));
        assertEquals("Stack", one.path("kind").asText());
        assertEquals(7, one.path("status").path("h1").path("observedRevision").asInt());

        JsonNode yamlList = YAML.readTree(ok(berth("get", "stacks", "-o", "yaml")));
        assertEquals("List", yamlList.path("kind").asText());
        assertEquals(List.of("api", "web"), names(yamlList));
        JsonNode yamlOne = YAML.readTree(ok(berth("get", "st", "web", "-o", "yaml")));
        assertEquals("web", yamlOne.path("metadata").path("name").asText());
        assertEquals("front", yamlOne.path("metadata").path("labels").path("tier").asText());
        assertEquals("True", yamlOne.path("status").path("h1").path("conditions").get(0).path("status").asText());
        assertFalse(yamlOne.path("status").path("h1").path("conditions").get(0).has("true"));

        if (jqInstalled()) {
            assertEquals("api\nweb\n", jq(ok(berth("get", "stacks", "-o", "json")), "-r", ".items[].metadata.name"));
            assertEquals("7\n", jq(ok(berth("get", "stack", "web", "-o", "json")), ".status.h1.observedRevision"));
        }
    }

    @Test
    void selectorsFilterOnMetadataLabels() {
        assertEquals(List.of("stack/web"), lines(ok(berth("get", "stacks", "-l", "team=web", "-o", "name"))));
        assertEquals(List.of("stack/web"), lines(ok(berth("get", "stacks", "-l", "team==web,tier", "-o", "name"))));
        assertEquals(List.of("stack/api"), lines(ok(berth("get", "stacks", "-l", "team!=web", "-o", "name"))));
        assertEquals(List.of("stack/api"), lines(ok(berth("get", "stacks", "-l", "!tier", "-o", "name"))));
        assertEquals(List.of(), lines(ok(berth("get", "stacks", "-l", "team=web,tier!=front", "-o", "name"))));
        List<String> table = lines(ok(berth("get", "stacks", "--selector", "team=api")));
        assertEquals(2, table.size(), table.toString());
        assertTrue(table.get(1).startsWith("api "), table.toString());

        for (String format : List.of("json", "yaml", "name", "wide")) {
            CliRun unselected = berth("get", "stack", "web", "-o", format, "-l", "team=api");
            assertEquals(0, unselected.exit(), format + ": an existing object -l does not select is no error: "
                    + unselected.err());
            assertEquals("", unselected.out(), format);
            assertEquals("No resources found.\n", unselected.err(), format);
        }
        assertEquals(List.of("stack/web"), lines(ok(berth("get", "stack", "web", "-o", "name", "-l", "team=web"))));
        assertEquals(1, berth("get", "stack", "nosuch", "-l", "team=web").exit(), "a missing object is still an error");

        for (String bad : List.of("team=web,", "team in (a,b)", "=x", "te am=x")) {
            CliRun run = berth("get", "stacks", "-l", bad);
            assertEquals(2, run.exit(), bad + ": " + run.err());
            assertEquals(1, lines(run.err()).size(), run.err());
            assertTrue(run.err().startsWith("error: ") && run.err().contains("label selector"), run.err());
            assertEquals("", run.out());
        }
    }

    @Test
    void nameJsonpathAndNoHeaders() {
        assertEquals(List.of("stack/api", "stack/web"), lines(ok(berth("get", "stacks", "-o", "name"))));
        assertEquals(List.of("stack/web"), lines(ok(berth("get", "stacks", "web", "-o", "name"))));
        assertEquals("api web\n", ok(berth("get", "stacks", "-o", "jsonpath={.items[*].metadata.name}")));
        assertEquals("web\n", ok(berth("get", "stack", "web", "-o", "jsonpath={.metadata.name}")));
        assertEquals("web:True\n", ok(berth("get", "stack", "web", "-o",
                "jsonpath={.metadata.name}:{.status.h1.conditions[0].status}")));
        assertEquals("web\n", ok(berth("get", "stacks", "-o", "jsonpath={.items[?(@.metadata.labels.team=='web')].metadata.name}")));
        assertEquals("api\nweb\n", ok(berth("get", "stacks", "-o", "jsonpath={.items[0].metadata.name}{\"\\n\"}{.items[1].metadata.name}")));
        assertEquals("\n", ok(berth("get", "stack", "web", "-o", "jsonpath={.metadata.missing}")));
        CliRun bad = berth("get", "stacks", "-o", "jsonpath={range .items[*]}{.metadata.name}{end}");
        assertEquals(2, bad.exit(), bad.err());
        assertTrue(bad.err().contains("range/end are not supported"), bad.err());

        List<String> headless = lines(ok(berth("get", "stacks", "--no-headers")));
        assertEquals(2, headless.size(), headless.toString());
        assertTrue(headless.get(0).startsWith("api ") && headless.get(1).startsWith("web "), headless.toString());
        List<String> wide = lines(ok(berth("get", "stacks", "-o", "wide", "--no-headers")));
        assertFalse(wide.get(0).startsWith("NAME"), wide.toString());
    }

    @Test
    void getAllListsEveryKindInSections() throws Exception {
        List<String> names = lines(ok(berth("get", "all", "-o", "name")));
        assertEquals(List.of("stack/api", "stack/web", "network/backend"), names);
        String table = ok(berth("get", "all"));
        assertTrue(table.contains("stack/web ") && table.contains("network/backend "), table);
        assertEquals(2, table.lines().filter(l -> l.startsWith("NAME")).count(), "one header per section: " + table);
        assertTrue(table.contains("\n\nNAME"), "sections apart: " + table);
        JsonNode all = JSON.readTree(ok(berth("get", "all", "-o", "json")));
        assertEquals("List", all.path("kind").asText());
        assertEquals(List.of("api", "web", "backend"), names(all));
        assertEquals(List.of("stack/web"), lines(ok(berth("get", "all", "-l", "tier=front", "-o", "name"))));
    }

    /** Also: a row printed alone keeps the first listing's widths (a long name there), so it lines up with the header. */
    @Test
    void watchPrintsARowForAChangeMadeAfterItStarted() throws Exception {
        Path wide = dir.resolve("wide.yaml");
        Files.writeString(wide, StackYaml.stack("a-stack-with-a-rather-long-name").yaml());
        assertEquals(0, berth("apply", "-f", wide.toString()).exit());
        StringWriter out = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread watcher = new Thread(() -> {
            CommandLine cli = BerthMain.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(new StringWriter(), true));
            exit.set(cli.execute("get", "stacks", "-w", "--etcd-endpoints=" + etcd.settings.describeEndpoints(),
                    "--prefix=" + etcd.prefix));
        }, "get-w");
        watcher.start();
        try {
            Await.until(Duration.ofSeconds(30), "the first listing", () -> snapshot(out).contains("web "), () -> snapshot(out));
            Path late = dir.resolve("late.yaml");
            Files.writeString(late, StackYaml.stack("late").yaml());
            assertEquals(0, berth("apply", "-f", late.toString()).exit());
            Await.until(Duration.ofSeconds(30), "a row for stack late", () -> snapshot(out).lines().anyMatch(l -> l.startsWith("late ")),
                    () -> snapshot(out));
            etcd.kv.put(etcd.keys.status("stack", "api", "h2"), new StatusCodec().write(new ObjectStatus("h2", 3,
                    List.of(), Map.of(), "boom", null)));
            Await.until(Duration.ofSeconds(30), "a row for api after its status changed",
                    () -> snapshot(out).lines().filter(l -> l.startsWith("api ")).count() == 2, () -> snapshot(out));
            assertEquals(1, snapshot(out).lines().filter(l -> l.startsWith("NAME")).count(), snapshot(out));
        } finally {
            watcher.interrupt();
            watcher.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertFalse(watcher.isAlive(), "get -w stops when interrupted");
        assertEquals(0, exit.get());
        String header = snapshot(out).lines().filter(l -> l.startsWith("NAME")).findFirst().orElseThrow();
        String row = snapshot(out).lines().filter(l -> l.startsWith("late ")).findFirst().orElseThrow();
        for (String column : List.of("READY", "STATUS", "AGE")) {
            int at = header.indexOf(column);
            assertTrue(row.length() > at && row.charAt(at - 1) == ' ' && row.charAt(at) != ' ',
                    column + " at " + at + ":\n" + snapshot(out));
        }
    }

    @Test
    void watchOnlyPrintsNamesOfChangesOnly() throws Exception {
        StringWriter out = new StringWriter();
        Thread watcher = new Thread(() -> {
            CommandLine cli = BerthMain.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.execute("get", "stacks", "--watch-only", "-o", "name", "--etcd-endpoints=" + etcd.settings.describeEndpoints(),
                    "--prefix=" + etcd.prefix);
        }, "get-watch-only");
        watcher.start();
        try {
            // The watch starts at a revision read before the listing: a change after start is seen even if it races.
            Await.until(Duration.ofSeconds(30), "stack/web after a delete", () -> {
                if (snapshot(out).contains("stack/web")) {
                    return true;
                }
                etcd.kv.put(etcd.keys.status("stack", "web", "h3"), "{\"host\":\"h3\",\"observedRevision\":"
                        + System.nanoTime() + "}");
                return false;
            }, () -> snapshot(out));
            assertFalse(snapshot(out).contains("stack/api"), "only changes: " + snapshot(out));
        } finally {
            watcher.interrupt();
            watcher.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertFalse(watcher.isAlive());
    }

    @Test
    void hostsAsDocumentsAndByName() throws Exception {
        etcd.kv.put(etcd.keys.host("h1"), JSON.writeValueAsString(new HostRecord("h1", Map.of("zone", "a"), "1.2.3",
                Instant.now().toString(), "10.9.0.1", HostRecord.vtepMacFor("h1"), List.of(), Instant.now().toString())));
        etcd.kv.put(etcd.keys.member("h9"), JSON.writeValueAsString(new MemberRecord("h9", Instant.now().toString(),
                Instant.now().toString(), Map.of("zone", "b"))));

        JsonNode list = JSON.readTree(ok(berth("get", "hosts", "-o", "json")));
        assertEquals("List", list.path("kind").asText());
        assertEquals(List.of("h1", "h9"), names(list));
        assertEquals("Host", list.path("items").get(0).path("kind").asText());
        assertEquals("1.2.3", list.path("items").get(0).path("status").path("record").path("version").asText());
        assertEquals("Ready", list.path("items").get(0).path("status").path("state").asText());

        JsonNode one = YAML.readTree(ok(berth("get", "hosts", "h9", "-o", "yaml")));
        assertEquals("h9", one.path("metadata").path("name").asText());
        assertFalse(one.path("status").has("record"), one.toString());
        assertEquals(List.of("host/h1"), lines(ok(berth("get", "hosts", "-l", "zone=a", "-o", "name"))));
        List<String> table = lines(ok(berth("get", "host", "h1")));
        assertEquals(2, table.size(), table.toString());
        assertTrue(table.get(1).startsWith("h1 "), table.toString());

        for (String format : List.of("json", "yaml", "name", "wide")) {
            CliRun unselected = berth("get", "hosts", "h1", "-o", format, "-l", "zone=b");
            assertEquals(0, unselected.exit(), format + ": " + unselected.err());
            assertEquals("", unselected.out(), format + ": -l applies to a named host too");
            assertEquals("No resources found.\n", unselected.err(), format);
        }
        assertEquals("h9", JSON.readTree(ok(berth("get", "hosts", "h9", "-o", "json", "-l", "zone=b")))
                .path("metadata").path("name").asText());

        CliRun missing = berth("get", "hosts", "nope");
        assertEquals(1, missing.exit());
        assertEquals(1, lines(missing.err()).size(), missing.err());
        assertTrue(missing.err().contains("unknown host \"nope\"") && missing.err().contains("h1, h9"), missing.err());
        assertEquals("", missing.out());
    }

    @Test
    void versionListsTheClientAndEachLiveOperator() throws Exception {
        etcd.kv.put(etcd.keys.host("h1"), JSON.writeValueAsString(new HostRecord("h1", Map.of(), "9.9.9",
                Instant.now().toString(), "10.9.0.1", HostRecord.vtepMacFor("h1"), List.of(), Instant.now().toString())));
        String text = ok(berth("version"));
        assertTrue(text.startsWith("Client Version: " + BerthVersion.current()), text);
        assertTrue(text.contains("Operator Version: h1 9.9.9"), text);
        JsonNode json = JSON.readTree(ok(berth("version", "-o", "json")));
        assertEquals(BerthVersion.current(), json.path("clientVersion").path("version").asText());
        assertEquals("9.9.9", json.path("operatorVersions").path("h1").asText());
        CliRun client = CliRun.raw("version", "--client", "-o", "json");
        assertEquals(0, client.exit(), client.err());
        assertFalse(JSON.readTree(client.out()).has("operatorVersions"));
    }

    private static String ok(CliRun run) {
        assertEquals(0, run.exit(), run.err());
        return run.out();
    }

    private static List<String> lines(String text) {
        return text.lines().toList();
    }

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.path("items").forEach(item -> names.add(item.path("metadata").path("name").asText()));
        return names;
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names.stream().sorted().toList();
    }

    private static String snapshot(StringWriter out) {
        synchronized (out.getBuffer()) {
            return out.toString();
        }
    }

    private static boolean jqInstalled() throws Exception {
        return new ProcessBuilder("sh", "-c", "command -v jq").start().waitFor() == 0;
    }

    private static String jq(String input, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("jq"));
        command.addAll(List.of(args));
        Process jq = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var stdin = jq.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(jq.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jq.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, jq.exitValue(), output);
        return output;
    }
}
