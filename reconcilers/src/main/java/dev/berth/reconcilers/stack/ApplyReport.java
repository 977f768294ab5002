package dev.berth.reconcilers.stack;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What an apply did: the actions that succeeded, the first failure, and the actions it left for a later pass
 * (a drain still running, or the pass's deadline reached). A Docker error stops applying there; a rolled-back
 * update is a failure too, but the actions after it still run.
 */
public record ApplyReport(List<StackAction> done, Optional<Failure> failure, List<Deferred> deferred) {
    public ApplyReport {
        done = List.copyOf(done);
        deferred = List.copyOf(deferred);
    }

    /** A failed action with a CamelCase reason (ImageNotFound, PortInUse, RolloutFailed, ...) and a message. */
    public record Failure(StackAction action, String reason, String message) {
    }

    /** An action not run in this pass; the pass should be resumed after {@code after}. */
    public record Deferred(StackAction action, Duration after, String why) {
    }

    public boolean succeeded() {
        return failure.isEmpty();
    }

    /** The earliest time a deferred action can run; empty when nothing was deferred. */
    public Optional<Duration> resumeAfter() {
        return deferred.stream().map(Deferred::after).min(Duration::compareTo);
    }
}
