package dev.berth.operator.waiting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.status.ServiceCount;
import dev.berth.operator.Await;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.StackYaml;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.control.StackConditions;
import dev.berth.operator.store.StatusCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The waiter on the real etcd with no operator: the test writes the host record and statuses an operator would, and
 * the waiter answers from its watches (a status written after it started ends the wait).
 */
class StackWaiterTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final EtcdFixture etcd = new EtcdFixture();

    private final String stack = "w" + Long.toHexString(System.nanoTime() & 0xffffff);
    private final List<Verdict> seen = new CopyOnWriteArrayList<>();

    /** A global stack on host hb1 (no scheduler needed), and hb1's record. */
    private long setUp() throws Exception {
        // A new client's first call carries gRPC's warm-up, which a loaded machine can stretch past the 5 s timeout.
        Await.until(WAIT, "etcd answers", () -> etcd.kv.list(etcd.prefix + "/").values().isEmpty());
        etcd.kv.put(etcd.keys.host("hb1"), new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
                new HostRecord("hb1", Map.of(), "test", "t", null, null, List.of(), "t")));
        etcd.store.apply(new ManifestParser(Kinds.standard()).parse("t.yaml", StackYaml.stack(stack).global().yaml())
                .resources());
        return etcd.kv.get(etcd.keys.desired("stack", stack)).orElseThrow().modRevision();
    }

    private void report(long revision, boolean ready) {
        etcd.kv.put(etcd.keys.status("stack", stack, "hb1"), new StatusCodec().write(StackConditions.build("hb1",
                Optional.empty(), new StackConditions.Pass(revision, Map.of("web", new ServiceCount(ready ? 1 : 0, 1)),
                        !ready, Optional.empty()), "t")));
    }

    private CompletableFuture<StackWaiter.Outcome> start(Duration timeout) {
        StackWaiter waiter = new StackWaiter(etcd.kv, new StackSnapshots(etcd.store, etcd.kv));
        long deadline = System.nanoTime() + timeout.toNanos();
        return CompletableFuture.supplyAsync(() -> waiter.await(stack, deadline, null, seen::add));
    }

    private boolean saw(String reason) {
        return seen.stream().anyMatch(v -> v.reason().equals(reason));
    }

    @Test
    void aStatusWrittenWhileWaitingEndsTheWaitButAStaleOneDoesNot() throws Exception {
        long revision = setUp();
        CompletableFuture<StackWaiter.Outcome> outcome = start(Duration.ofSeconds(60));
        Await.until(WAIT, "waiting for hb1", () -> saw("hb1: not reported yet"), seen::toString);

        report(revision - 1, true);
        Await.until(WAIT, "the stale status seen", () -> saw("hb1: at revision " + (revision - 1) + " of " + revision),
                seen::toString);
        assertFalse(outcome.isDone(), "a Ready status of an older revision does not end the wait");

        report(revision, true);
        StackWaiter.Outcome done = outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(Verdict.State.READY, done.verdict().state());
        assertFalse(done.timedOut());
    }

    @Test
    void aStackDeletedWhileWaitingIsGone() throws Exception {
        setUp();
        CompletableFuture<StackWaiter.Outcome> outcome = start(Duration.ofSeconds(60));
        Await.until(WAIT, "waiting for hb1", () -> saw("hb1: not reported yet"), seen::toString);
        etcd.kv.delete(etcd.keys.desired("stack", stack));
        assertEquals(Verdict.State.GONE, outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS).verdict().state());
    }

    @Test
    void theDeadlineEndsTheWaitWithTheLastReason() throws Exception {
        setUp();
        StackWaiter.Outcome outcome = start(Duration.ofMillis(1500)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(outcome.timedOut());
        assertEquals("hb1: not reported yet", outcome.verdict().reason());
    }
}
