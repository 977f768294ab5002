package dev.berth.operator.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.operator.Await;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.StoredValue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A resync costs etcd no list while the watch answers (issue 21: idle etcd requests), and a watch that stopped
 * delivering without an error is found out at the next resync and replaced by a re-list.
 */
class EtcdInformerResyncTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Names are the whole keys. */
    private static final RawValues RAW = new RawValues("");

    @Test
    void resyncsWithALiveWatchDoNotList() throws Exception {
        try (EtcdFixture etcd = new EtcdFixture()) {
            AtomicInteger lists = new AtomicInteger();
            EtcdKv kv = new EtcdKv(etcd.client, etcd.settings, (operation, outcome, nanos) -> {
                if (operation.equals("list")) {
                    lists.incrementAndGet();
                }
            });
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            String prefix = etcd.prefix + "/live/";
            try (EtcdInformer<StoredValue> informer = informer(prefix, kv, registry)) {
                informer.start();
                Await.until(WAIT, "the informer synced", informer::synced);
                int afterStart = lists.get();
                for (int i = 0; i < 5; i++) {
                    informer.resync();
                    int asked = i + 1;
                    Await.until(WAIT, "the watch answered progress request " + asked,
                            () -> registry.get("berth.etcd.watch.progress.notifications").counter().count() >= asked);
                }
                etcd.kv.put(prefix + "a", "1");
                Await.until(WAIT, "the watch delivers a put after the resyncs", () -> informer.get(prefix + "a").isPresent());
                assertEquals(afterStart, lists.get(), "lists made by five resyncs with a live watch");
                assertEquals(0.0, registry.get("berth.etcd.watch.silent").counter().count(), "watches taken for dead");
            }
        }
    }

    @Test
    void aWatchThatStoppedDeliveringIsReplacedAtTheNextResync() throws Exception {
        try (EtcdFixture etcd = new EtcdFixture()) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            String prefix = etcd.prefix + "/stalled/";
            try (EtcdInformer<StoredValue> informer = informer(prefix, etcd.kv, registry)) {
                informer.start();
                Await.until(WAIT, "the informer synced", informer::synced);
                informer.stallWatchForTest();
                etcd.kv.put(prefix + "missed", "1");
                // Nothing delivers the put but the re-list that follows the unanswered progress request.
                informer.resync();
                Await.until(EtcdInformer.PROGRESS_DEADLINE.plus(WAIT), "the put missed by the stalled watch seen",
                        () -> informer.get(prefix + "missed").isPresent());
                assertEquals(1.0, registry.get("berth.etcd.watch.silent").counter().count(), "watches taken for dead");
                etcd.kv.put(prefix + "after", "1");
                Await.until(WAIT, "the new watch delivers", () -> informer.get(prefix + "after").isPresent());
            }
        }
    }

    private static EtcdInformer<StoredValue> informer(String prefix, EtcdKv kv, SimpleMeterRegistry registry) {
        return new EtcdInformer<>("resync-test", prefix, kv, RAW,
                new RetryPolicy(Duration.ofMillis(200), 2.0, 0.0, Duration.ofSeconds(2)), registry);
    }

}
