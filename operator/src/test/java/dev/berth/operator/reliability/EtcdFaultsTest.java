package dev.berth.operator.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Container;
import dev.berth.crds.Kinds;
import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.store.EtcdReconnect;
import dev.berth.operator.store.StoredValue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd faults under a working operator, on a three-member cluster of the test's own ({@link EtcdCluster}): a member
 * SIGKILLed and restarted (the leader too), the whole cluster down for 30 s, and a compaction during a burst of
 * changes. The operators are given all three endpoints, as production ones are. Each test records its figure, then
 * asserts it. The number of member kills is {@code -Dberth.reliability.etcdKills} (CI: 2, one follower and the leader).
 */
@RunsInTheFaultLane
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EtcdFaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** The outage the issue asks for: longer than gRPC's own reconnect backoff takes to grow past the resync. */
    private static final Duration OUTAGE = Duration.ofSeconds(30);
    /** The operator's resync in the outage test: the promise is "converged within one resync of etcd's return". */
    private static final Duration RESYNC = Duration.ofSeconds(10);
    /**
     * How soon the operator reaches etcd again after it returns: Berth's reconnect period (gRPC's own backoff reset)
     * plus a connect and the readiness probe's answer, with room for a loaded machine.
     */
    private static final Duration RECONNECT_BOUND = EtcdReconnect.PERIOD.plusSeconds(3);

    private final int kills = Integer.getInteger("berth.reliability.etcdKills", 2);
    private EtcdCluster cluster;

    @BeforeAll
    void startCluster() throws Exception {
        cluster = new EtcdCluster();
        cluster.start();
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Set<String> ids(List<Container> containers) {
        return containers.stream().map(Container::getId).collect(Collectors.toSet());
    }

    private TestOperator operator(Duration resync) {
        return TestOperator.builder().etcdEndpoints(cluster.endpoints()).resync(resync).build();
    }

    @Test
    void aMemberKilledAndRestartedIsInvisibleToUsersAndRemovesNothing(@TempDir Path dir) throws Exception {
        int userErrors = 0;
        int removed = 0;
        int failures = 0;
        int done = 0;
        List<String> seen = new ArrayList<>();
        try (TestOperator h = operator(Duration.ofSeconds(2))) {
            h.start();
            String kept = h.name("kept");
            h.apply(StackYaml.stack(kept).replicas(2).yaml());
            h.awaitReady(kept, 2);
            Set<String> before = ids(h.containers(kept));
            try {
                for (int i = 0; i < kills; i++) {
                    // Every other kill is the leader's: an election happens while the operator works.
                    int victim = i % 2 == 1 ? cluster.leader() : (cluster.leader() + 1) % cluster.size();
                    cluster.kill(victim);
                    int errorsBefore = userErrors;
                    int removedBefore = removed;
                    String moving = h.name("m" + i);
                    Path file = dir.resolve(moving + ".yaml");
                    Files.writeString(file, StackYaml.stack(moving).yaml());
                    CliRun apply = h.cli("apply", "-f", file.toString());
                    if (apply.exit() != 0) {
                        userErrors++;
                        seen.add("apply: " + apply.err().strip());
                    }
                    CliRun get = h.cli("get", "stacks");
                    if (get.exit() != 0 || !get.out().contains(kept)) {
                        userErrors++;
                        seen.add("get: " + get.err().strip());
                    }
                    // The change made while the member is away converges while it is away.
                    h.awaitReady(moving, 1);
                    if (h.degradedReason(kept).isPresent() || !h.isReady(kept, 2)) {
                        userErrors++;
                        seen.add("status of " + kept + ": " + h.describeStatus(kept));
                    }
                    cluster.restart(victim);
                    Set<String> now = ids(h.running(kept));
                    if (!now.containsAll(before)) {
                        removed += (int) before.stream().filter(id -> !now.contains(id)).count();
                        seen.add("removed while member " + victim + " was away");
                    }
                    h.awaitReady(moving, 1);
                    if (userErrors > errorsBefore || removed > removedBefore) {
                        failures++;
                    }
                    done++;
                }
                assertEquals(before, ids(h.containers(kept)), "nothing of the stack left alone was replaced");
            } finally {
                Figures.ofRun().record(new Figure("etcd: member killed", done, failures,
                        "kills " + done + " / user errors " + userErrors + " / removed " + removed));
            }
        }
        assertEquals(kills, done, "every kill ran");
        assertEquals(0, userErrors, "no user-visible error: " + seen);
        assertEquals(0, removed, "nothing removed: " + seen);
    }

    @Test
    void aThirtySecondOutageRemovesNothingAndConvergesWithinOneResyncOfItsReturn(@TempDir Path dir) throws Exception {
        int removed = -1;
        boolean notReadyWhileDown = false;
        long reconnectMillis = -1;
        long convergedMillis = -1;
        long writtenMillis = -1;
        try (TestOperator h = operator(RESYNC);
             // The test reads status through a jetcd client of its own, which gRPC's backoff would keep away from etcd
             // for seconds after the return (once measured: the operator wrote its Ready status 7 s before the test
             // read it): it gets the operator's remedy, so the figure is the operator's time, not the test's.
             EtcdReconnect testClientBack = new EtcdReconnect(h.etcd.client, Duration.ofMillis(200),
                     new SimpleMeterRegistry())) {
            testClientBack.start();
            h.start();
            String s = h.name("out");
            h.apply(StackYaml.stack(s).replicas(2).yaml());
            h.awaitReady(s, 2);
            Set<String> before = ids(h.containers(s));
            try {
                cluster.killAll();
                long down = System.nanoTime();
                Await.until(Duration.ofSeconds(15), "/readyz not ready once etcd is down",
                        () -> h.http("/readyz").statusCode() == 503);
                // Stays not ready for the whole outage, and keeps every container.
                notReadyWhileDown = true;
                while (System.nanoTime() - down < OUTAGE.toNanos()) {
                    notReadyWhileDown &= h.http("/readyz").statusCode() == 503;
                    Thread.sleep(500);
                }
                removed = (int) before.stream().filter(id -> !ids(h.running(s)).contains(id)).count();
                cluster.restartAll();
                long back = System.nanoTime();
                // A fresh CLI (a new connection, no backoff of its own) makes the change a person would make.
                Path file = dir.resolve("scaled.yaml");
                Files.writeString(file, StackYaml.stack(s).replicas(3).yaml());
                CliRun apply = h.cli("apply", "-f", file.toString());
                assertEquals(0, apply.exit(), "apply right after etcd's return: " + apply.err());
                // The CLI's own start (a JVM: seconds on a loaded machine) is not the operator's time: the promise is
                // counted from the later of etcd's return and the change being in etcd.
                long written = System.nanoTime();
                writtenMillis = (written - back) / 1_000_000;
                Await.until(WAIT, "/readyz ready after etcd's return", () -> h.http("/readyz").statusCode() == 200);
                reconnectMillis = (System.nanoTime() - back) / 1_000_000;
                h.awaitReady(s, 3);
                convergedMillis = (System.nanoTime() - written) / 1_000_000;
                assertTrue(ids(h.containers(s)).containsAll(before), "the containers that ran are kept");
            } finally {
                cluster.restartAll();
                boolean ok = removed == 0 && notReadyWhileDown && reconnectMillis >= 0
                        && reconnectMillis <= RECONNECT_BOUND.toMillis() && convergedMillis >= 0
                        && convergedMillis <= RESYNC.toMillis();
                Figures.ofRun().record(new Figure("etcd: 30 s outage", 1, ok ? 0 : 1, "removed " + removed
                        + " / readyz not ready while down " + (notReadyWhileDown ? "yes" : "NO")
                        + " / etcd reached again " + seconds(reconnectMillis) + " s after return (bound "
                        + RECONNECT_BOUND.toSeconds() + " s) / converged " + seconds(convergedMillis)
                        + " s after the change was written, " + seconds(writtenMillis) + " s after the return (bound: one"
                        + " resync, " + RESYNC.toSeconds() + " s)"));
            }
        }
        assertEquals(0, removed, "no container removed while etcd was away");
        assertTrue(notReadyWhileDown, "/readyz not ready for the whole outage");
        assertTrue(reconnectMillis <= RECONNECT_BOUND.toMillis(), "etcd reached again within " + RECONNECT_BOUND
                + " of its return, took " + reconnectMillis + " ms");
        assertTrue(convergedMillis <= RESYNC.toMillis(), "converged within one resync (" + RESYNC + ") of the change"
                + " made at etcd's return, took " + convergedMillis + " ms (written " + writtenMillis + " ms after it)");
    }

    @Test
    void aCompactionDuringABurstLosesNoChange() throws Exception {
        int puts = 0;
        int compactionsSeen = 0;
        boolean sameAsEtcd = false;
        try (TestOperator h = operator(Duration.ofSeconds(2))) {
            h.start();
            List<String> stacks = List.of(h.name("c0"), h.name("c1"), h.name("c2"));
            for (String s : stacks) {
                h.apply(StackYaml.stack(s).with("env: {N: '0'}").yaml());
            }
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            EtcdFixture etcd = h.etcd;
            try (DesiredInformer informer = new DesiredInformer(Kinds.standard().byKind("Stack").orElseThrow(), etcd.kv,
                    etcd.store, k -> { }, TestOperator.FAST_RETRY, registry)) {
                informer.start();
                Await.until(WAIT, "the informer synced", informer::synced);
                AtomicBoolean bursting = new AtomicBoolean(true);
                AtomicInteger written = new AtomicInteger();
                // Writes through the test's client while members go away; a write that meets the dying member is
                // written again (the burst's writer is not what is under test).
                Thread writer = new Thread(() -> {
                    int n = 0;
                    while (bursting.get()) {
                        n++;
                        String name = h.name("b" + (n % 25));
                        try {
                            if (n % 7 == 0) {
                                etcd.kv.delete(etcd.keys.desired("stack", name));
                            } else {
                                h.apply(StackYaml.stack(name).replicas(0).with("env: {N: '" + n + "'}").yaml());
                            }
                            written.incrementAndGet();
                        } catch (RuntimeException e) {
                            n--;
                        }
                    }
                }, "burst");
                writer.start();
                try {
                    // Each member in turn goes away and the history is compacted to now: the watches that were on it
                    // resume from their last revision, which is gone.
                    for (int m = 0; m < cluster.size(); m++) {
                        Await.until(WAIT, "writes going on", () -> written.get() > 0);
                        int at = written.get();
                        Await.until(WAIT, "20 more writes", () -> written.get() >= at + 20);
                        cluster.kill(m);
                        cluster.compact(cluster.revision());
                        Await.until(WAIT, "20 more writes", () -> written.get() >= at + 40);
                        cluster.restart(m);
                    }
                } finally {
                    bursting.set(false);
                    writer.join();
                }
                puts = written.get();
                for (String s : stacks) {
                    h.apply(StackYaml.stack(s).with("env: {N: 'last'}").yaml());
                }
                Await.until(WAIT, "the informer has every key at its last revision", () -> mirror(informer)
                        .equals(stored(etcd)), () -> "informer " + mirror(informer) + " etcd " + stored(etcd));
                sameAsEtcd = true;
                compactionsSeen = (int) (registry.get("berth.etcd.compactions.seen").counter().count()
                        + h.metric("berth_etcd_compactions_seen_total"));
                for (String s : stacks) {
                    h.awaitReady(s, 1);
                }
            } finally {
                Figures.ofRun().record(new Figure("etcd: compaction burst", puts, sameAsEtcd ? 0 : 1, "writes " + puts
                        + " / member kills with compaction " + cluster.size() + " / watches re-listed after compaction "
                        + compactionsSeen + " / changes lost " + (sameAsEtcd ? 0 : "some")));
            }
        }
        assertTrue(sameAsEtcd, "no change lost");
        // Not asserted yet: killing a member and compacting does not reliably put a watch behind the compaction (0 of
        // 3 in the first runs); the figure shows how many did. The single deterministic case is InformerCompactionTest.
    }

    private static Map<String, Long> mirror(DesiredInformer informer) {
        Map<String, Long> all = new TreeMap<>();
        for (String name : informer.names()) {
            informer.get(name).ifPresent(o -> all.put(name, o.raw().modRevision()));
        }
        return all;
    }

    private static Map<String, Long> stored(EtcdFixture etcd) {
        Map<String, Long> all = new TreeMap<>();
        String prefix = etcd.keys.desired("stack", "");
        for (StoredValue v : etcd.kv.list(prefix).values()) {
            all.put(v.key().substring(prefix.length()), v.modRevision());
        }
        return all;
    }

    private static String seconds(long millis) {
        return millis < 0 ? "-" : String.format(java.util.Locale.ROOT, "%.1f", millis / 1000.0);
    }
}
