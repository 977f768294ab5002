package dev.berth.operator.queue;

import java.time.Duration;

/** The global limit on how fast keys leave the queue for retries: {@code perSecond} steady, in bursts of {@code burst}. */
public record RateLimit(int perSecond, int burst) {
    public static RateLimit defaults() {
        return new RateLimit(20, 200);
    }

    Duration refreshPeriod() {
        return Duration.ofNanos(1_000_000_000L * burst / Math.max(1, perSecond));
    }
}
