package dev.berth.operator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.EtcdFixture;
import dev.berth.operator.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The cluster token in real etcd: written once, the same for every reader, rotated by deleting the key. */
class ApiTokenTest {
    @RegisterExtension
    final EtcdFixture etcd = new EtcdFixture();

    @Test
    void theFirstWriterWinsAndRotationReachesARunningOperatorWithinSeconds() {
        // The first etcd calls of a fresh JVM are slow on a busy machine (gRPC warming up): not what is tested here.
        dev.berth.operator.Await.until(Duration.ofSeconds(60), "etcd answering", () -> {
            try {
                etcd.kv.get(etcd.keys.apiToken());
                return true;
            } catch (dev.berth.operator.store.StoreException e) {
                return false;
            }
        });
        TestClock clock = new TestClock(Instant.parse("2026-12-02T10:00:00Z"));
        ApiToken operator = new ApiToken(etcd.kv, etcd.keys, clock);
        String first = operator.load();
        assertEquals(32, Base64.getUrlDecoder().decode(first).length);
        assertEquals(first, new ApiToken(etcd.kv, etcd.keys, clock).load(), "a second reader gets the same token");
        assertTrue(operator.accepts(first));
        assertFalse(operator.accepts(null));
        assertFalse(operator.accepts(first + "x"));

        // Rotation: the key deleted, the next reader (a CLI here) writes a new token.
        etcd.kv.delete(etcd.keys.apiToken());
        String second = new ApiToken(etcd.kv, etcd.keys, clock).load();
        assertNotEquals(first, second);
        clock.advance(ApiToken.REREAD);
        // The mismatch starts a read in the background; requests after it find the new token.
        dev.berth.operator.Await.until(Duration.ofSeconds(30), "the operator reads the token again on a mismatch",
                () -> operator.accepts(second));
        assertFalse(operator.accepts(first), "the old token is refused once the new one was read");
        clock.advance(Duration.ofHours(1));
        assertFalse(operator.accepts(first));
    }

    /** A request never waits for etcd: reads run elsewhere, one at a time, at most one every REREAD. */
    @Test
    void requestsNeverReadEtcdThemselves() {
        TestClock clock = new TestClock(Instant.parse("2026-12-02T10:00:00Z"));
        java.util.List<Runnable> reads = new java.util.ArrayList<>();
        ApiToken operator = new ApiToken(etcd.kv, etcd.keys, clock, reads::add);
        for (int i = 0; i < 100; i++) {
            assertFalse(operator.accepts("some-token"), "nothing read yet: refused");
        }
        assertEquals(1, reads.size(), "one read started for a hundred requests");
        reads.get(0).run();
        clock.advance(ApiToken.REREAD);
        assertFalse(operator.accepts("some-token"));
        assertEquals(2, reads.size(), "the next read once REREAD passed");
    }
}
