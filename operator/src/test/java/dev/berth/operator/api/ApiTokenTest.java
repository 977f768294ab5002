package dev.berth.operator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.EtcdFixture;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The cluster token in real etcd: written once, the same for every reader, rotated by deleting the key. */
class ApiTokenTest {
    @RegisterExtension
    final EtcdFixture etcd = new EtcdFixture();

    /** The token's time source (System.nanoTime in production), moved by hand. */
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private ApiToken token(Executor refresher, Duration period) {
        return new ApiToken(etcd.kv, etcd.keys, nanos::get, refresher, period);
    }

    private static Executor ownThread() {
        return task -> {
            Thread t = new Thread(task, "api-token-read-test");
            t.setDaemon(true);
            t.start();
        };
    }

    private void advance(Duration by) {
        nanos.addAndGet(by.toNanos());
    }

    private void awaitEtcd() {
        // The first etcd calls of a fresh JVM are slow on a busy machine (gRPC warming up): not what is tested here.
        dev.berth.operator.Await.until(Duration.ofSeconds(60), "etcd answering", () -> {
            try {
                etcd.kv.get(etcd.keys.apiToken());
                return true;
            } catch (dev.berth.operator.store.StoreException e) {
                return false;
            }
        });
    }

    @Test
    void theFirstWriterWinsAndRotationReachesARunningOperatorWithinSeconds() {
        awaitEtcd();
        ApiToken operator = token(ownThread(), ApiToken.PERIOD);
        String first = operator.load();
        assertEquals(32, Base64.getUrlDecoder().decode(first).length);
        assertEquals(first, new ApiToken(etcd.kv, etcd.keys).load(), "a second reader gets the same token");
        assertTrue(operator.accepts(first));
        assertFalse(operator.accepts(null));
        assertFalse(operator.accepts(first + "x"));

        // Rotation: the key deleted, the next reader (a CLI here) writes a new token.
        etcd.kv.delete(etcd.keys.apiToken());
        String second = new ApiToken(etcd.kv, etcd.keys).load();
        assertNotEquals(first, second);
        advance(ApiToken.REREAD);
        // The mismatch starts a read in the background; requests after it find the new token.
        dev.berth.operator.Await.until(Duration.ofSeconds(30), "the operator reads the token again on a mismatch",
                () -> operator.accepts(second));
        assertFalse(operator.accepts(first), "the old token is refused once the new one was read");
        advance(Duration.ofHours(1));
        assertFalse(operator.accepts(first));
    }

    /** A request never waits for etcd: reads run elsewhere, one at a time, at most one every REREAD. */
    @Test
    void requestsNeverReadEtcdThemselves() {
        java.util.List<Runnable> reads = new java.util.ArrayList<>();
        ApiToken operator = token(reads::add, ApiToken.PERIOD);
        for (int i = 0; i < 100; i++) {
            assertFalse(operator.accepts("some-token"), "nothing read yet: refused");
        }
        assertEquals(1, reads.size(), "one read started for a hundred requests");
        reads.get(0).run();
        advance(ApiToken.REREAD);
        assertFalse(operator.accepts("some-token"));
        assertEquals(2, reads.size(), "the next read once REREAD passed");
    }

    /** An idle operator (no request at all) stops accepting a rotated token within one period. */
    @Test
    void aStartedTokenIsReadAgainEveryPeriodWithoutRequests() {
        awaitEtcd();
        AtomicInteger reads = new AtomicInteger();
        Executor counted = task -> ownThread().execute(() -> {
            task.run();
            reads.incrementAndGet();
        });
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        ApiToken operator = token(counted, Duration.ofMillis(200));
        try {
            String first = operator.load();
            assertTrue(operator.accepts(first));
            operator.start(timer);
            etcd.kv.delete(etcd.keys.apiToken());
            String second = new ApiToken(etcd.kv, etcd.keys).load();
            assertNotEquals(first, second);
            // No request in between: only the period can read.
            int before = reads.get();
            // Two reads: one may have been under way before the rotation (they run one at a time).
            dev.berth.operator.Await.until(Duration.ofSeconds(30), "a periodic read after the rotation",
                    () -> reads.get() > before + 1);
            assertFalse(operator.accepts(first), "the old token is refused without a request having started a read");
            assertTrue(operator.accepts(second));
        } finally {
            operator.close();
            timer.shutdownNow();
        }
    }
}
