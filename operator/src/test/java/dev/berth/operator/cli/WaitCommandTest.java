package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.Container;
import dev.berth.crds.status.ServiceCount;
import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.control.StackConditions;
import dev.berth.operator.store.StatusCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** berth apply --wait, wait and rollout status against the real operator, dockerd and etcd, run in-process. */
class WaitCommandTest {
    private static final String ESC = "\u001b";
    private static final String HEALTH = StackYaml.HTTP_HEALTH;

    @RegisterExtension
    final TestOperator h = TestOperator.create();

    @TempDir
    Path dir;

    private String file(String yaml) throws Exception {
        Path f = Files.createTempFile(dir, "stack", ".yaml");
        Files.writeString(f, yaml);
        return f.toString();
    }

    private static String all(CliRun run) {
        return "exit " + run.exit() + "\n" + run.out() + run.err();
    }

    @Test
    void applyWaitReturnsOnceTheStackIsReadyWithItsContainersRunning() throws Exception {
        String s = h.name("ok");
        CliRun run = h.cli("apply", "--wait", "--timeout", "90s", "-f", file(StackYaml.stack(s).replicas(2).yaml()));
        assertEquals(0, run.exit(), all(run));
        assertTrue(run.out().contains("stack/" + s + " created"), all(run));
        assertTrue(run.out().strip().endsWith("stack/" + s + " is Ready"), all(run));
        assertEquals(2, h.running(s).size(), "both containers run when apply --wait returns");
        assertTrue(h.isReady(s, 2));
        // Not a terminal here: plain lines, one per change, and no escape codes.
        assertFalse(run.out().contains(ESC) || run.err().contains(ESC), all(run));
        assertTrue(run.out().lines().anyMatch(l -> l.matches(h.host + "  web  \\d/2.*")), all(run));

        CliRun wait = h.cli("wait", "stack/" + s, "--for", "condition=Ready");
        assertEquals(0, wait.exit(), all(wait));
        assertEquals("stack/" + s + " is Ready", wait.out().lines().reduce((a, b) -> b).orElseThrow());
    }

    @Test
    void applyWaitFailsWithTheReasonWhenTheImageDoesNotExist() throws Exception {
        String s = h.name("noimg");
        String image = "berth-test/" + h.instance + "-missing:1";
        // Never: what the host has or ImageNotFound (IfNotPresent would try a pull).
        CliRun run = h.cli("apply", "--wait", "--timeout", "90s", "-f",
                file(StackYaml.stack(s).image(image).with("imagePullPolicy: Never").yaml()));
        assertEquals(1, run.exit(), all(run));
        assertTrue(run.err().contains("stack/" + s + " failed: ImageNotFound: "), all(run));
        assertTrue(run.err().contains(image), all(run));
        assertTrue(h.containers(s).isEmpty());
    }

    /**
     * A second host (its record and status written by the test, as its operator would) that the global stack selects:
     * apply --wait is not done while that host has not reported the current revision, however Ready this one is.
     */
    @Test
    void applyWaitWaitsForEveryHostThatShouldRunTheStack() throws Exception {
        String s = h.name("two");
        String other = h.name("other-host");
        h.etcd.kv.put(h.keys().host(other), new ObjectMapper().writeValueAsString(
                new HostRecord(other, Map.of(), "test", "t", null, null, List.of(), "t")));
        String manifest = file(StackYaml.stack(s).global().yaml());
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(
                () -> h.cli("apply", "--wait", "--timeout", "90s", "-f", manifest));
        Await.until(Duration.ofSeconds(90), s + " Ready on " + h.host, () -> h.isReady(s, 1), () -> h.describeStatus(s));
        assertFalse(run.isDone(), "not done while " + other + " has not reported: " + (run.isDone() ? all(run.get()) : ""));

        h.etcd.kv.put(h.keys().status("stack", s, other), new StatusCodec().write(
                StackConditions.build(other, Optional.empty(),
                        new StackConditions.Pass(h.revision(s),
                                Map.of("web", new ServiceCount(1, 1)), false,
                                Optional.empty()), "t")));
        CliRun done = run.get(60, TimeUnit.SECONDS);
        assertEquals(0, done.exit(), all(done));
        assertTrue(done.out().lines().anyMatch(l -> l.startsWith(other + "  web  0/1  not reported yet")), all(done));
    }

    @Test
    void theTimeoutEndsTheWaitWithWhatIsMissing() throws Exception {
        String s = h.name("nowhere");
        h.apply(StackYaml.stack(s).onHosts(List.of("no-such-host")).yaml());
        long started = System.nanoTime();
        CliRun run = h.cli("wait", "stack", s, "--for", "condition=Ready", "--timeout", "3s");
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(1, run.exit(), all(run));
        assertTrue(run.err().contains("timed out after 3s waiting for stack/" + s + ": "), all(run));
        assertTrue(tookMillis >= 3000 && tookMillis < 20_000, "took " + tookMillis + " ms");
    }

    @Test
    void rolloutStatusWaitsForTheNewRevisionNotTheOldReadyOne() {
        String s = h.name("roll");
        h.apply(StackYaml.stack(s).with("env: {V: \"1\"}\n" + HEALTH).yaml());
        h.awaitReady(s, 1);
        String old = h.containers(s).get(0).getId();

        // The old revision is Ready right now; the new one is Ready only once its container is healthy.
        h.apply(StackYaml.stack(s).with("env: {V: \"2\"}\n" + HEALTH).yaml());
        CliRun run = h.cli("rollout", "status", "stack", s, "--timeout", "90s");
        assertEquals(0, run.exit(), all(run));
        assertEquals(h.revision(s), h.status(s).orElseThrow().observedRevision());
        assertTrue(h.isReady(s, 1), h.describeStatus(s));
        Container now = h.containers(s).get(0);
        assertFalse(now.getId().equals(old), "the replacement runs when rollout status returns");
        assertTrue(List.of(h.docker.inspectContainerCmd(now.getId()).exec().getConfig().getEnv()).contains("V=2"));
    }

    @Test
    void rolloutStatusFailsWithRolloutFailedWhenTheNewRevisionNeverGetsHealthy() {
        String s = h.name("rbk");
        h.apply(StackYaml.stack(s).with(HEALTH).yaml());
        h.awaitReady(s, 1);
        String failing = HEALTH.replace("wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1", "exit 1")
                .replace("healthTimeout: 20s", "healthTimeout: 3s");
        h.apply(StackYaml.stack(s).with(failing).yaml());
        CliRun run = h.cli("rollout", "status", "stack/" + s, "--timeout", "90s");
        assertEquals(1, run.exit(), all(run));
        assertTrue(run.err().contains("stack/" + s + " failed: RolloutFailed: "), all(run));
        assertEquals(1, h.running(s).size(), "the old container still serves");
    }

    @Test
    void badUsageIsExitTwoAndAMissingStackOne() {
        assertEquals(2, h.cli("wait", "stack", "x", "--for", "delete").exit());
        assertEquals(2, h.cli("wait", "network/x", "--for", "condition=Ready").exit());
        assertEquals(2, h.cli("rollout").exit());
        CliRun missing = h.cli("rollout", "status", "stack/" + h.name("absent"), "--timeout", "5s");
        assertEquals(1, missing.exit(), all(missing));
        assertTrue(missing.err().contains("stack/" + h.name("absent") + " not found"), all(missing));
        CliRun noEtcd = CliRun.raw("wait", "stack/x", "--for", "condition=Ready", "--etcd-endpoints=http://127.0.0.1:9",
                "--etcd-timeout=1");
        assertEquals(2, noEtcd.exit(), all(noEtcd));
        assertTrue(noEtcd.err().startsWith("error: etcd at "), all(noEtcd));
        assertEquals(1, noEtcd.err().lines().count(), all(noEtcd));

        // etcd's settings wrong: no answer about the stack either, so 2 (1 would say "not Ready"), one line
        String noFile = dir.resolve("no-such-password").toString();
        CliRun badPassword = CliRun.raw("wait", "stack/x", "--for", "condition=Ready", "--etcd-user=u",
                "--etcd-password-file=" + noFile);
        assertEquals(2, badPassword.exit(), all(badPassword));
        assertTrue(badPassword.err().startsWith("error: cannot read etcd password file " + noFile), all(badPassword));
        assertEquals(1, badPassword.err().lines().count(), all(badPassword));
        CliRun badEndpoint = CliRun.raw("rollout", "status", "stack/x", "--etcd-endpoints=ftp://127.0.0.1:9");
        assertEquals(2, badEndpoint.exit(), all(badEndpoint));
        assertTrue(badEndpoint.err().startsWith("error: "), all(badEndpoint));
        assertEquals(1, badEndpoint.err().lines().count(), all(badEndpoint));
    }
}
