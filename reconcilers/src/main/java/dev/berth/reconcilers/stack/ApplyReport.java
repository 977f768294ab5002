package dev.berth.reconcilers.stack;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What an apply did: the actions that succeeded, the first failure, the actions it left for a later pass (a drain
 * still running, or the pass's deadline reached), and the dead containers Docker would not remove. A Docker error
 * stops applying there; a rolled-back update is a failure too, but the actions after it still run.
 */
public record ApplyReport(List<StackAction> done, Optional<Failure> failure, List<Deferred> deferred,
                          List<Leftover> leftovers) {
    /** How soon Docker is asked again to remove a container it refused to (a mount a shim holds may go any time). */
    public static final Duration LEFTOVER_RETRY = Duration.ofSeconds(15);

    public ApplyReport {
        done = List.copyOf(done);
        deferred = List.copyOf(deferred);
        leftovers = leftovers == null ? List.of() : List.copyOf(leftovers);
    }

    /** Nothing left behind by Docker. */
    public ApplyReport(List<StackAction> done, Optional<Failure> failure, List<Deferred> deferred) {
        this(done, failure, deferred, List.of());
    }

    /**
     * A container Docker refused to remove in this pass ({@link StackAction.RemoveLeftover}), with Docker's message:
     * not a failure of the pass (nothing waits for it), but reported in status and events until it is gone.
     */
    public record Leftover(String id, String name, String message) {
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
        Optional<Duration> deferredAfter = deferred.stream().map(Deferred::after).min(Duration::compareTo);
        if (leftovers.isEmpty()) {
            return deferredAfter;
        }
        return Optional.of(deferredAfter.filter(d -> d.compareTo(LEFTOVER_RETRY) < 0).orElse(LEFTOVER_RETRY));
    }
}
