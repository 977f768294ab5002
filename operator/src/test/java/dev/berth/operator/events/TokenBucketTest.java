package dev.berth.operator.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;

    private static int taken(TokenBucket bucket, int tries, long at) {
        int n = 0;
        for (int i = 0; i < tries; i++) {
            n += bucket.tryTake(at) ? 1 : 0;
        }
        return n;
    }

    @Test
    void aBurstIsAllowedThenTheRate() {
        TokenBucket bucket = new TokenBucket(10, 50);
        long t = 5 * SECOND;
        assertEquals(50, taken(bucket, 200, t), "the burst at once");
        assertFalse(bucket.tryTake(t));
        assertEquals(10, taken(bucket, 200, t + SECOND), "one second later: ten more");
        assertEquals(1, taken(bucket, 200, t + SECOND + SECOND / 10), "a tenth of a second: one");
    }

    @Test
    void quietTimeRefillsNoMoreThanTheBurst() {
        TokenBucket bucket = new TokenBucket(10, 50);
        taken(bucket, 50, 0);
        assertEquals(50, taken(bucket, 200, 3600 * SECOND));
    }

    @Test
    void aClockGoingBackTakesNothingAway() {
        TokenBucket bucket = new TokenBucket(10, 5);
        taken(bucket, 5, 10 * SECOND);
        assertFalse(bucket.tryTake(9 * SECOND));
        assertTrue(bucket.tryTake(10 * SECOND + SECOND / 10 + SECOND));
    }

    @Test
    void nonsenseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 5));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0));
    }
}
