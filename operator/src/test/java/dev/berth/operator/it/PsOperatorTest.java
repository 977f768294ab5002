package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestOperator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code berth ps} on the real dockerd and etcd: the operator's status carries each container's image, restarts and
 * exit code, a restart by Docker's restart policy shows, and a host where nothing changes makes no inspect and no
 * status write per resync.
 */
class PsOperatorTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Runs until told to exit with code 3 ({@code touch /tmp/die}); a restarted one waits to be told again. */
    private static final String DIES_WHEN_TOLD = "rm -f /tmp/die; while [ ! -f /tmp/die ]; do sleep 0.2; done; exit 3";

    @RegisterExtension
    final TestOperator h = TestOperator.create();

    private List<JsonNode> items(String stack) {
        CliRun run = h.cli("ps", stack, "-o", "json");
        assertEquals(0, run.exit(), run.err());
        try {
            JsonNode list = JSON.readTree(run.out());
            assertEquals("List", list.path("kind").asText());
            return StreamSupport.stream(list.path("items").spliterator(), false).toList();
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + run.out(), e);
        }
    }

    private static boolean is(JsonNode row, int restarts, Integer exitCode) {
        return row.path("state").asText().equals("running") && row.path("restarts").isInt()
                && row.path("restarts").asInt() == restarts
                && (exitCode == null ? row.path("exitCode").isNull() : row.path("exitCode").asInt(-1) == exitCode);
    }

    private double calls(String operation) {
        return h.metric("berth_docker_requests_total", "operation=\"" + operation + "\"");
    }

    @Test
    void psShowsTheContainersAndARestartByTheRestartPolicy() throws Exception {
        String s = h.name("ps");
        h.apply(StackYaml.stack(s).shell(DIES_WHEN_TOLD).replicas(2).yaml());
        h.awaitReady(s, 2);
        Await.until(WAIT, "ps shows two running containers, never restarted", () -> {
            List<JsonNode> items = items(s);
            return items.size() == 2 && items.stream().allMatch(r -> is(r, 0, null));
        }, () -> h.cli("ps", s, "-o", "wide").out());

        // 0 when each start event is read before the second list that shows it running; one may slip in on a busy
        // machine (three per replica before: first listed, start event, changed state).
        assertTrue(calls("inspect_container") < 2, "new replicas cost no inspect: their create and start events say"
                + " they never ran before and when they started; inspects: " + calls("inspect_container"));
        for (var c : h.containers(s)) {
            Instant docker = Instant.parse(h.docker.inspectContainerCmd(c.getId()).exec().getState().getStartedAt());
            Instant shown = items(s).stream().filter(r -> c.getNames()[0].endsWith("-" + r.path("replica").asInt()))
                    .map(r -> Instant.parse(r.path("startedAt").asText())).findFirst().orElseThrow();
            assertTrue(Duration.between(docker, shown).abs().compareTo(Duration.ofSeconds(1)) < 0,
                    "started at " + shown + " as Docker says " + docker);
        }

        CliRun table = h.cli("ps", s);
        List<String> lines = table.out().lines().toList();
        assertEquals(3, lines.size(), table.out());
        for (int replica = 1; replica <= 2; replica++) {
            assertTrue(lines.get(replica).matches(h.host + " +" + s + "-web-" + replica + " +" + TestEnv.testImage()
                    + " +running +- +0 +\\d+s +-"), table.out());
        }
        JsonNode first = items(s).get(0);
        assertEquals(h.host, first.path("host").asText());
        assertEquals(s, first.path("stack").asText());
        assertEquals("web", first.path("service").asText());
        assertEquals(1, first.path("replica").asInt());
        assertTrue(first.path("imageId").asText().startsWith("sha256:"), first.toString());
        Instant created = Instant.parse(first.path("createdAt").asText());
        Instant started = Instant.parse(first.path("startedAt").asText());
        assertTrue(!started.isBefore(created.minusSeconds(1)), first.toString());

        // Nothing changes: resyncs list again, but inspect nothing and write no status.
        String statusKey = h.keys().status("stack", s, h.host);
        long statusRevision = h.etcd.kv.get(statusKey).orElseThrow().modRevision();
        double inspects = calls("inspect_container");
        double lists = calls("list_containers");
        Await.until(WAIT, "two more lists of containers (resyncs every 2 s)", () -> calls("list_containers") >= lists + 2);
        assertEquals(inspects, calls("inspect_container"), "no inspect while nothing changed");
        assertEquals(statusRevision, h.etcd.kv.get(statusKey).orElseThrow().modRevision(), "no status write");

        String id = h.containers(s).stream().filter(c -> c.getNames()[0].equals("/" + s + "-web-1")).findFirst()
                .orElseThrow().getId();
        String exec = h.docker.execCreateCmd(id).withCmd("touch", "/tmp/die").exec().getId();
        h.docker.execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>()).awaitCompletion(10, TimeUnit.SECONDS);
        Await.until(WAIT, "replica 1 restarted by Docker after exiting with 3, replica 2 untouched", () -> {
            List<JsonNode> items = items(s);
            return items.size() == 2 && is(items.get(0), 1, 3) && is(items.get(1), 0, null);
        }, () -> h.cli("ps", s, "-o", "wide").out());
        assertEquals(id, h.containers(s).stream().filter(c -> c.getNames()[0].equals("/" + s + "-web-1")).findFirst()
                .orElseThrow().getId(), "the same container, restarted by Docker, not replaced by Berth");
        assertTrue(h.cli("ps", s).out().lines().anyMatch(l -> l.matches(h.host + " +" + s + "-web-1 .* running +- +1 +\\d+s +3")),
                h.cli("ps", s).out());
    }
}
