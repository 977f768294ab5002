package dev.berth.reconcilers;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When one reconcile pass must give its worker back. A pass checks it between actions (never inside a Docker or
 * kernel call, which have timeouts of their own), and one that runs out leaves the rest to a requeue instead of
 * holding the worker: the next pass plans again from what then exists. Nothing inside a pass waits for time to
 * pass (a drain or a health check is a requeue-after), so the deadline only bites when Docker is slow.
 */
public record Deadline(Instant at, Clock clock) {
    /**
     * Two minutes: far above a healthy pass (a few Docker calls of milliseconds to seconds each, image pulls never
     * happen in a pass), yet short enough that one stuck host daemon cannot keep a worker from the other stacks for
     * long. A pass may end up to one call's timeout after it (the Docker client's response timeout, 60 s).
     */
    public static final Duration DEFAULT = Duration.ofMinutes(2);

    public Deadline {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(clock, "clock");
    }

    public static Deadline after(Duration budget, Clock clock) {
        return new Deadline(clock.instant().plus(budget), clock);
    }

    public boolean expired() {
        return !clock.instant().isBefore(at);
    }

    public Duration remaining() {
        Duration left = Duration.between(clock.instant(), at);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
