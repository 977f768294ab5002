package dev.berth.operator.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.operator.Await;
import dev.berth.operator.TestEnv;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.store.EtcdConnector;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.EtcdSettings;
import dev.berth.operator.store.StoredValue;
import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An idle operator's resync costs etcd nothing while the informers' watches run (issue 21: 44 lists a minute before,
 * one per informer per resync): the watch-fed cache is current. An explicit re-list (after etcd was unreachable)
 * still lists; a compacted watch's re-list is EtcdFaultsTest's.
 */
class EtcdInformerResyncTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void resyncsWhileTheWatchRunsListNothingAndARelistStillLists() throws Exception {
        EtcdSettings settings = new EtcdSettings(List.of(TestEnv.etcdEndpoints().split(",")), null, null, null, null,
                null, Duration.ofSeconds(5));
        String prefix = "/" + TestEnv.uniqueName("resync") + "/";
        AtomicInteger lists = new AtomicInteger();
        try (Client client = EtcdConnector.connect(settings)) {
            EtcdKv kv = new EtcdKv(client, settings, (operation, outcome, nanos) -> {
                if (operation.equals("list")) {
                    lists.incrementAndGet();
                }
            });
            try {
                kv.put(prefix + "a", "1");
                kv.put(prefix + "b", "1");
                try (EtcdInformer<StoredValue> informer = new EtcdInformer<>("resync-test", prefix, kv, codec(),
                        new RetryPolicy(Duration.ofMillis(200), 2.0, 0.0, Duration.ofSeconds(1)),
                        new SimpleMeterRegistry())) {
                    informer.start();
                    Await.until(WAIT, "the first list", informer::synced);
                    assertEquals(1, lists.get());

                    for (int i = 0; i < 5; i++) {
                        informer.resync();
                    }
                    // The resyncs run on the informer's thread before the watch's event of this put is handled there.
                    kv.put(prefix + "c", "1");
                    Await.until(WAIT, "the watch delivered c", () -> informer.get(prefix + "c").isPresent());
                    assertEquals(1, lists.get(), "five resyncs with a running watch listed nothing");

                    informer.relistNow();
                    Await.until(WAIT, "the explicit re-list", () -> lists.get() == 2);

                    assertEquals(3, informer.names().size());
                }
            } finally {
                kv.deletePrefix(prefix);
            }
        }
    }

    private static EtcdInformer.Codec<StoredValue> codec() {
        return new EtcdInformer.Codec<>() {
            @Override
            public Optional<String> name(String key) {
                return Optional.of(key);
            }

            @Override
            public StoredValue decode(String name, StoredValue value) {
                return value;
            }

            @Override
            public long revision(StoredValue value) {
                return value.modRevision();
            }
        };
    }
}
