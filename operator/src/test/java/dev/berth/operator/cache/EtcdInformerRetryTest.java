package dev.berth.operator.cache;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.RefusedPort;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.store.EtcdConnector;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.EtcdSettings;
import dev.berth.operator.store.StoredValue;
import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** An informer whose etcd is away: it retries its list, and never with more than one retry pending. */
class EtcdInformerRetryTest {
    private static final Duration BACKOFF = Duration.ofSeconds(3);

    @Test
    void resyncsDuringAnOutageDoNotMultiplyTheRetries() throws Exception {
        AtomicInteger lists = new AtomicInteger();
        try (RefusedPort away = RefusedPort.open()) {
            EtcdSettings settings = new EtcdSettings(List.of(away.httpUrl()), null, null, null, null, null,
                    Duration.ofSeconds(1));
            try (Client client = EtcdConnector.connect(settings)) {
                EtcdKv kv = new EtcdKv(client, settings, (operation, outcome, nanos) -> {
                    if (operation.equals("list")) {
                        lists.incrementAndGet();
                    }
                });
                EtcdInformer.Codec<StoredValue> codec = new RawValues("");
                try (EtcdInformer<StoredValue> informer = new EtcdInformer<>("retry-test", "/retry-test/", kv, codec,
                        new RetryPolicy(BACKOFF, 1.0, 0.0, BACKOFF), new SimpleMeterRegistry())) {
                    informer.start();
                    Await.until(Duration.ofSeconds(20), "the first list failed", () -> lists.get() >= 1);
                    // An operator's resync timer during an outage: each tick lists once more, then waits its turn.
                    for (int i = 0; i < 6; i++) {
                        informer.resync();
                    }
                    Await.until(Duration.ofSeconds(20), "the resyncs' lists ran", () -> lists.get() >= 7);
                    int before = lists.get();
                    // A measuring window (the rate of retries), not a wait for a condition.
                    Thread.sleep(6000);
                    int retries = lists.get() - before;
                    assertFalse(informer.synced());
                    // One retry chain: a list every backoff (3 s) plus the failing call's own time (1 s), so at most
                    // 3 in 6 s; several chains keep the informer's thread listing back to back (6 in 6 s), backoff
                    // defeated.
                    assertTrue(retries <= 3, "one pending retry at a time: " + retries + " lists in 6 s");
                    assertTrue(retries >= 1, "it keeps retrying: " + retries);
                }
            }
        }
    }
}
