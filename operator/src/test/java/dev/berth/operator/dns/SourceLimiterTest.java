package dev.berth.operator.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SourceLimiterTest {
    @Test
    void aSourceGetsItsBurstThenItsRateAndOthersAreUntouched() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        SourceLimiter limiter = new SourceLimiter(200, 400, 100, now::get);
        InetAddress flood = InetAddress.getByName("10.0.0.1");
        InetAddress quiet = InetAddress.getByName("10.0.0.2");
        int granted = 0;
        for (int i = 0; i < 1000; i++) {
            granted += limiter.tryAcquire(flood) ? 1 : 0;
        }
        assertEquals(400, granted, "the burst, then nothing within the same instant");
        assertTrue(limiter.tryAcquire(quiet), "another source has its own bucket");
        now.addAndGet(100_000_000L);
        granted = 0;
        for (int i = 0; i < 1000; i++) {
            granted += limiter.tryAcquire(flood) ? 1 : 0;
        }
        assertEquals(20, granted, "200 per second: 20 in 100 ms");
    }

    @Test
    void theMapOfSourcesIsBounded() throws Exception {
        AtomicLong now = new AtomicLong();
        SourceLimiter limiter = new SourceLimiter(1, 1, 10, now::get);
        for (int i = 0; i < 100; i++) {
            limiter.tryAcquire(InetAddress.getByName("10.0.1." + i));
        }
        assertEquals(10, limiter.sources());
        assertFalse(limiter.tryAcquire(InetAddress.getByName("10.0.1.99")), "a recent source keeps its empty bucket");
    }
}
