package dev.berth.operator.cache;

import java.time.Duration;

/**
 * How long the cache waits before the follow-up list for containers left over the inspect cap. A follow-up that
 * inspected something successfully was worth it, so the next comes as soon; one that did not (every inspect failed:
 * crash-looping or broken containers) would otherwise list and inspect every 100 ms forever, so the wait doubles,
 * up to the resync period, after which the resync lists anyway. Used on the cache's thread only.
 */
final class CatchUpDelay {
    static final long FIRST_MS = 100;

    private final long maxMs;
    private long nextMs = FIRST_MS;

    CatchUpDelay(Duration max) {
        this.maxMs = Math.max(FIRST_MS, max.toMillis());
    }

    /** The wait before the next follow-up list. */
    long nextMs() {
        return nextMs;
    }

    /**
     * After a list: {@code progress} (an inspect succeeded) or {@code caughtUp} (nothing left stale) starts again from
     * the first wait; otherwise the wait doubles, up to the maximum.
     */
    void after(boolean progress, boolean caughtUp) {
        nextMs = progress || caughtUp ? FIRST_MS : Math.min(maxMs, nextMs * 2);
    }
}
