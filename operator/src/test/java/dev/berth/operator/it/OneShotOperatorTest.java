package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.Container;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * restart "no" on the real dockerd and etcd: a one-shot service's container that exited is left as it is across
 * resyncs (Completed, exit 0, the stack Ready), run again once by a new spec; one that exits 3 is a ContainerFailed
 * failure with its exit code, not a container recreated at every pass.
 */
class OneShotOperatorTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final TestOperator h = TestOperator.create();

    private static String oneShot(StackYaml stack, String script, String env) {
        return stack.service("init").shell(script).with("restart: \"no\"\nenv: {V: \"" + env + "\"}")
                .service("web").yaml();
    }

    private JsonNode row(String stack, String name) {
        CliRun run = h.cli("ps", stack, "-o", "json");
        assertEquals(0, run.exit(), run.err());
        try {
            return StreamSupport.stream(JSON.readTree(run.out()).path("items").spliterator(), false)
                    .filter(r -> r.path("name").asText().equals(name)).findFirst().orElse(JSON.nullNode());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + run.out(), e);
        }
    }

    private Optional<Container> container(String stack, String name) {
        return h.containers(stack).stream().filter(c -> c.getNames()[0].equals("/" + name)).findFirst();
    }

    /** Ready at the stack's current revision, as the host wrote it. */
    private boolean ready(String stack) {
        return h.status(stack).map(s -> s.ready() && s.observedRevision() == h.revision(stack)).orElse(false);
    }

    private void awaitResyncs(int n) {
        double before = h.metric("berth_resyncs_total");
        double passes = h.metric("berth_reconcile_total", "controller=\"stack\"");
        Await.until(WAIT, n + " more resyncs and stack passes", () -> h.metric("berth_resyncs_total") >= before + n
                && h.metric("berth_reconcile_total", "controller=\"stack\"") >= passes + n);
    }

    @Test
    void aCompletedOneShotStaysExitedUntilItsSpecChanges() {
        String s = h.name("once");
        String init = s + "-init-1";
        h.apply(oneShot(StackYaml.stack(s), "true", "1"));
        Await.until(WAIT, s + " Ready with init completed and web running", () -> ready(s)
                && h.running(s).size() == 1 && "completed".equals(row(s, init).path("reason").asText()),
                () -> h.describeStatus(s) + " ps=" + row(s, init));
        JsonNode first = row(s, init);
        assertEquals("exited", first.path("state").asText(), first.toString());
        assertEquals(0, first.path("exitCode").asInt(-1), first.toString());
        String id = container(s, init).orElseThrow().getId();
        ObjectStatus status = h.status(s).orElseThrow();
        assertEquals(1, status.services().get("init").completed(), status.toString());
        assertEquals(0, status.services().get("init").running(), status.toString());

        double drift = h.metric("berth_drift_corrections_total", "controller=\"stack\"");
        awaitResyncs(3);
        assertEquals(id, container(s, init).orElseThrow().getId(), "the completed container is left, not recreated");
        assertEquals("exited", container(s, init).orElseThrow().getState());
        assertEquals(drift, h.metric("berth_drift_corrections_total", "controller=\"stack\""), "a completed one-shot is no drift");
        assertTrue(ready(s), h.describeStatus(s));
        CliRun wait = h.cli("wait", "stack", s, "--for", "condition=Ready", "--timeout", "30s");
        assertEquals(0, wait.exit(), wait.out() + wait.err());
        CliRun wide = h.cli("ps", s, "-o", "wide");
        assertTrue(wide.out().lines().anyMatch(l -> l.contains(init) && l.contains(" exited ") && l.matches(".* exited .* 0 +sha256:\\w+ +completed\\s*")),
                wide.out());

        // A new spec runs it again, once.
        h.apply(oneShot(StackYaml.stack(s), "true", "2"));
        Await.until(WAIT, "init run again for the new spec and completed", () -> ready(s)
                && container(s, init).map(c -> !c.getId().equals(id) && c.getState().equals("exited")).orElse(false)
                && "completed".equals(row(s, init).path("reason").asText()), () -> h.describeStatus(s));
        String again = container(s, init).orElseThrow().getId();
        assertNotEquals(id, again);
        awaitResyncs(2);
        assertEquals(again, container(s, init).orElseThrow().getId(), "run once for the new spec, then left");
    }

    @Test
    void aOneShotThatExitsNonZeroIsAFailureWithItsExitCode() {
        String s = h.name("fails");
        String init = s + "-init-1";
        h.apply(oneShot(StackYaml.stack(s), "exit 3", "1"));
        Await.until(WAIT, s + " Degraded ContainerFailed", () -> h.degradedReason(s).filter("ContainerFailed"::equals)
                .isPresent() && h.status(s).map(st -> st.observedRevision() == h.revision(s)).orElse(false),
                () -> h.describeStatus(s));
        String message = h.status(s).flatMap(st -> st.condition("Degraded")).orElseThrow().message();
        assertTrue(message.contains(init + " exited with code 3"), message);
        String id = container(s, init).orElseThrow().getId();
        JsonNode row = row(s, init);
        assertEquals(3, row.path("exitCode").asInt(-1), row.toString());
        assertEquals("failed: exit code 3", row.path("reason").asText(), row.toString());

        awaitResyncs(2);
        assertEquals(id, container(s, init).orElseThrow().getId(), "a failed one-shot is reported, not run again");
        CliRun wait = h.cli("wait", "stack", s, "--for", "condition=Ready", "--timeout", "30s");
        assertEquals(1, wait.exit(), wait.out() + wait.err());
        assertTrue((wait.out() + wait.err()).contains("exited with code 3"), wait.out() + wait.err());
        List<String> states = h.containers(s).stream().map(Container::getState).sorted().toList();
        assertEquals(List.of("exited", "running"), states);
    }
}
