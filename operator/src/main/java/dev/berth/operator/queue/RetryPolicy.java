package dev.berth.operator.queue;

import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;

/**
 * The immutable backoff policy shared by every key (the per-key failure count lives in the queue), like the
 * Java Operator SDK's GenericRetry: exponential with jitter, capped at {@code max}.
 */
public record RetryPolicy(Duration initial, double multiplier, double jitter, Duration max) {
    public static RetryPolicy defaults() {
        return new RetryPolicy(Duration.ofMillis(500), 2.0, 0.2, Duration.ofMinutes(3));
    }

    public IntervalFunction intervals() {
        return IntervalFunction.ofExponentialRandomBackoff(initial, multiplier, jitter, max);
    }
}
