package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** berth events (table, json, -w) and describe's Events section, against a real operator's events. */
class EventsCliTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final TestOperator h = TestOperator.create();

    @BeforeEach
    void etcdAnswers() {
        dev.berth.operator.events.EventsSeen.etcdAnswers(h, WAIT);
    }

    /** A berth command running in a thread of its own (a watch), its output readable while it runs. */
    private static final class Running {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final Thread thread;
        volatile int exit = -1;

        Running(List<String> args) {
            CommandLine cli = BerthMain.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            thread = new Thread(() -> exit = cli.execute(args.toArray(String[]::new)), "berth-events-w");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            thread.interrupt();
            thread.join(10_000);
        }
    }

    private List<String> withEtcd(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--etcd-endpoints=" + h.etcdEndpoints);
        all.add("--prefix=" + h.etcd.prefix);
        all.add("--etcd-timeout=30");
        return all;
    }

    @Test
    void watchPrintsEventsAfterItStartedAndJsonAndDescribeShowThem() throws Exception {
        String s = h.name("ev");
        Running watch = new Running(withEtcd("events", "stack/" + s, "-w"));
        try {
            Await.until(WAIT, "the watch's header", () -> watch.out.toString().startsWith("LAST SEEN"),
                    () -> watch.out + watch.err.toString());
            h.apply(StackYaml.stack(s).yaml());
            Await.until(WAIT, "a Created line printed by the watch", () -> watch.out.toString().lines()
                    .anyMatch(l -> l.contains("Created") && l.contains("stack/" + s) && l.contains(s + "-web-1")),
                    () -> watch.out + watch.err.toString());
        } finally {
            watch.stop();
        }
        assertFalse(watch.thread.isAlive(), "an interrupted watch ends");
        assertEquals("", watch.err.toString());
        List<String> header = List.of(watch.out.toString().lines().findFirst().orElseThrow().split("\\s{3,}"));
        assertEquals(List.of("LAST SEEN", "TYPE", "REASON", "OBJECT", "HOST", "COUNT", "MESSAGE"), header);

        h.awaitReady(s, 1);
        Await.until(WAIT, "RolloutSucceeded", () -> h.cli("events", "stack/" + s).out().contains("RolloutSucceeded"));
        CliRun json = h.cli("events", "stack", s, "-o", "json");
        assertEquals(0, json.exit(), json.err());
        JsonNode list = JSON.readTree(json.out());
        assertEquals("List", list.get("kind").asText());
        List<String> reasons = new ArrayList<>();
        for (JsonNode item : list.get("items")) {
            reasons.add(item.get("reason").asText());
            assertEquals(s, item.get("name").asText());
            assertEquals("stack", item.get("kind").asText());
            assertEquals(h.host, item.get("host").asText());
            assertTrue(item.get("count").asInt() >= 1);
            assertFalse(item.has("object"), "no stray fields: " + item);
        }
        assertTrue(reasons.containsAll(List.of("Scheduled", "RolloutStarted", "Created", "Started", "RolloutSucceeded")),
                reasons.toString());

        CliRun noHeaders = h.cli("events", "--no-headers");
        assertEquals(0, noHeaders.exit(), noHeaders.err());
        assertFalse(noHeaders.out().contains("LAST SEEN"));
        assertTrue(noHeaders.out().contains("stack/" + s), "every object's events: " + noHeaders.out());

        CliRun describe = h.cli("describe", "stack", s);
        assertEquals(0, describe.exit(), describe.err());
        String section = describe.out().substring(describe.out().indexOf("\nEvents:"));
        assertTrue(section.contains("Type") && section.contains("Reason") && section.contains("Created"), section);
        assertTrue(section.contains("created container " + s + "-web-1"), section);
    }

    @Test
    void anUnknownKindIsAUsageErrorAndAnObjectWithoutEventsSaysSo() {
        CliRun bad = h.cli("events", "stakcs/x");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("unknown kind"), bad.err());
        CliRun none = h.cli("events", "stack/" + h.name("nothing"));
        assertEquals(0, none.exit(), none.err());
        assertEquals("", none.out());
        assertTrue(none.err().contains("No events found."), none.err());
        CliRun describeNone = h.cli("describe", "stack", h.name("nothing"));
        assertEquals(1, describeNone.exit());
    }
}
