package dev.berth.operator.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestOperator;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.LeaseOption;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Events a real operator writes to the real etcd while it runs stacks on the real dockerd. */
class StackEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @RegisterExtension
    final TestOperator h = TestOperator.create();

    @org.junit.jupiter.api.BeforeEach
    void etcdAnswers() {
        EventsSeen.etcdAnswers(h, WAIT);
    }

    private List<Event> events(String stack) {
        return EventsSeen.of(h, stack);
    }

    private Optional<Event> event(String stack, String reason) {
        return EventsSeen.first(h, stack, reason);
    }

    private String describe(String stack) {
        return EventsSeen.describe(h, stack);
    }

    @Test
    void anImageUpdateIsRolloutStartedCreatedStartedKilledRolloutSucceededInOrder() throws Exception {
        String s = h.name("roll");
        String tag = h.instance;
        String newImage = "berth-test/busybox:" + tag;
        String strategy = "update: {strategy: start-first, drain: 1s, healthTimeout: 20s}";
        h.docker.tagImageCmd(TestEnv.testImage(), "berth-test/busybox", tag).exec();
        try {
            h.apply(StackYaml.stack(s).with(strategy).yaml());
            h.awaitReady(s, 1);
            Await.until(WAIT, "the first rollout's end", () -> event(s, "RolloutSucceeded").isPresent(), () -> describe(s));
            Instant before = Instant.now();

            h.apply(StackYaml.stack(s).image(newImage).with(strategy).yaml());
            long revision = h.revision(s);
            Await.until(WAIT, "the update's end", () -> events(s).stream().anyMatch(e -> e.reason().equals(
                    "RolloutSucceeded") && e.message().contains("revision " + revision)), () -> describe(s));
            List<Event> update = events(s).stream().filter(e -> !Instant.parse(e.lastTimestamp()).isBefore(before))
                    .toList();
            assertEquals(List.of("RolloutStarted", "Created", "Started", "Killed", "RolloutSucceeded"),
                    update.stream().map(Event::reason).toList(), describe(s));
            assertTrue(update.get(1).message().contains(newImage), update.get(1).message());
            assertTrue(update.get(3).message().contains(s + "-web-1 "), "the old container: " + update.get(3).message());
            update.forEach(e -> {
                assertEquals(Event.NORMAL, e.type());
                assertEquals(h.host, e.host());
                assertEquals("stack", e.source());
            });
            assertTrue(h.metric("berth_events_written_total") >= 9, "first rollout and the update written");
        } finally {
            // Only the tag this test made (the image keeps its other name); forced: a container may still use it.
            h.docker.removeImageCmd(newImage).withForce(true).exec();
        }
    }

    @Test
    void anUpdateWhoseReplacementTurnsUnhealthyIsUnhealthyAndRolloutFailed() {
        String s = h.name("sick");
        String strategy = "update: {strategy: start-first, drain: 1s, healthTimeout: 30s}";
        h.apply(StackYaml.stack(s).with(strategy).yaml());
        h.awaitReady(s, 1);
        h.apply(StackYaml.stack(s).with(strategy + "\nhealthcheck: {test: [CMD, \"false\"], interval: 1s, retries: 1}")
                .yaml());
        Await.until(WAIT, "RolloutFailed", () -> event(s, "RolloutFailed").isPresent(), () -> describe(s));
        Event failed = event(s, "RolloutFailed").orElseThrow();
        assertEquals(Event.WARNING, failed.type());
        assertTrue(failed.message().contains(s + "-web-1-next"), failed.message());
        Event unhealthy = event(s, "Unhealthy").orElseThrow(() -> new AssertionError("no Unhealthy: " + describe(s)));
        assertEquals(Event.WARNING, unhealthy.type());
        assertEquals("health", unhealthy.source());
        assertTrue(unhealthy.message().contains(s + "-web-1-next"), unhealthy.message());
        assertTrue(events(s).stream().noneMatch(e -> e.reason().equals("Killed") && e.message().contains(s + "-web-1 ")),
                "the old container keeps serving: " + describe(s));
    }

    @Test
    void anInvalidSpecAndAMissingImageAreWarningsAndRepeatsCountUp() {
        String bad = h.name("bad");
        h.etcd.kv.put(h.keys().desired("stack", bad), "apiVersion: berth.dev/v1\nkind: Stack\nmetadata: {name: " + bad
                + "}\nspec: {services: [{name: web, replicas: -3}]}\n");
        String missing = h.name("missing");
        h.apply(StackYaml.stack(missing).image("berth-test/none:" + h.instance).with("imagePullPolicy: Never").yaml());

        // The operator resyncs every 2 s and backs failures off: the same warning again within seconds.
        Await.until(WAIT, "InvalidSpec seen twice", () -> event(bad, "InvalidSpec").map(e -> e.count() > 1)
                .orElse(false), () -> describe(bad));
        Await.until(WAIT, "ImageNotFound seen twice", () -> event(missing, "ImageNotFound").map(e -> e.count() > 1)
                .orElse(false), () -> describe(missing));
        Event invalid = event(bad, "InvalidSpec").orElseThrow();
        assertEquals(Event.WARNING, invalid.type());
        assertTrue(invalid.message().contains("replicas"), invalid.message());
        assertTrue(Instant.parse(invalid.lastTimestamp()).isAfter(Instant.parse(invalid.firstTimestamp())));
        assertEquals(1, events(bad).stream().filter(e -> e.reason().equals("InvalidSpec")).count(),
                "one key counted up, not one key per pass: " + describe(bad));
        Event notFound = event(missing, "ImageNotFound").orElseThrow();
        assertEquals(Event.WARNING, notFound.type());
        assertTrue(notFound.message().contains("berth-test/none:" + h.instance), notFound.message());
    }

    @Test
    void everyEventIsOnAnHourLongLease() throws Exception {
        String s = h.name("lease");
        h.apply(StackYaml.stack(s).yaml());
        Await.until(WAIT, "a Created event", () -> event(s, "Created").isPresent(), () -> describe(s));
        String key = new EventReader(h.etcd.kv, h.keys()).list("stack", s).events().get(0).key();
        KeyValue kv = h.etcd.client.getKVClient().get(ByteSequence.from(key, StandardCharsets.UTF_8))
                .get(10, TimeUnit.SECONDS).getKvs().get(0);
        assertTrue(kv.getLease() != 0, "the event key is on a lease");
        LeaseTimeToLiveResponse ttl = h.etcd.client.getLeaseClient().timeToLive(kv.getLease(), LeaseOption.DEFAULT)
                .get(10, TimeUnit.SECONDS);
        assertEquals(3600, ttl.getGrantedTTL());
        assertTrue(ttl.getTTL() > 3000 && ttl.getTTL() <= 3600, "expires within the hour: " + ttl.getTTL());
    }

    @Test
    void overTheRateEventsAreDroppedAndEveryEventIsWrittenOrCounted() throws Exception {
        // No wall-clock bound here (a loaded host makes any flaky): the bucket's arithmetic is TokenBucketTest's on
        // a fake clock. What holds on any machine: 200 calls (burst 50, 10/s) drop some over the rate, and each
        // event ends either written or counted as dropped.
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (EtcdEventRecorder recorder = new EtcdEventRecorder(h.etcd.kv, h.keys(), "rate-host",
                EtcdEventRecorder.Settings.defaults(), registry, Clock.systemUTC())) {
            recorder.start();
            String name = h.name("rate");
            for (int i = 0; i < 200; i++) {
                recorder.normal("stack", name, "Burst", "event " + i);
            }
            double overRate = registry.get("berth.events.dropped").tag("reason", "rate").counter().count();
            assertTrue(overRate > 0, "200 events at burst 50, 10/s: none dropped over the rate");
            Await.until(WAIT, "every event written or dropped", () -> written(registry) + dropped(registry) == 200,
                    () -> written(registry) + " written, " + dropped(registry) + " dropped");
            assertEquals((long) written(registry), new EventReader(h.etcd.kv, h.keys()).list("stack", name).events().size());
        }
    }

    @Test
    void eventsQueuedTogetherGoInOneTransactionEachOnTheLease() throws Exception {
        java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();
        dev.berth.operator.store.EtcdKv counted = new dev.berth.operator.store.EtcdKv(h.etcd.client, h.etcd.settings,
                (operation, outcome, nanos) -> {
                    if (operation.equals("put") || operation.equals("txn")) {
                        writes.incrementAndGet();
                    }
                });
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        String name = h.name("batch");
        try (EtcdEventRecorder recorder = new EtcdEventRecorder(counted, h.keys(), "batch-host",
                EtcdEventRecorder.Settings.defaults(), registry, Clock.systemUTC())) {
            // Queued before the writer starts, as when a pass says several things while a write is out; the last
            // one a repeat of the first, counted up on the same key (etcd refuses one key twice in a transaction).
            for (int i = 0; i < 40; i++) {
                recorder.normal("stack", name, "Burst", "event " + i);
            }
            recorder.normal("stack", name, "Burst", "event 0");
            recorder.start();
            Await.until(WAIT, "41 events written", () -> written(registry) == 41, () -> written(registry) + " written, "
                    + dropped(registry) + " dropped");
        }
        List<EventReader.Listed> listed = new EventReader(h.etcd.kv, h.keys()).list("stack", name).events();
        assertEquals(40, listed.size());
        assertEquals(2, listed.stream().filter(l -> l.event().message().equals("event 0")).findFirst().orElseThrow()
                .event().count(), "the repeat counted up");
        assertEquals(1, writes.get(), "40 queued events in one transaction");
        String key = listed.get(39).key();
        assertTrue(h.etcd.client.getKVClient().get(ByteSequence.from(key, StandardCharsets.UTF_8))
                .get(10, TimeUnit.SECONDS).getKvs().get(0).getLease() != 0, "on the lease");
    }

    private static double written(SimpleMeterRegistry registry) {
        return registry.get("berth.events.written").counter().count();
    }

    private static double dropped(SimpleMeterRegistry registry) {
        return registry.get("berth.events.dropped").counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
