package dev.berth.operator.control;

import dev.berth.reconcilers.stack.FinishedReplica;
import dev.berth.reconcilers.stack.StackOutcome;
import java.util.List;
import java.util.Optional;

/**
 * A one-shot replica (restart "no" or on-failure) that exited with a non-zero code is a failure of the stack on this
 * host (Degraded, reason {@value #REASON}), with the exit code: nothing starts it again, so waiting longer does not
 * help. It is a state, not a failed pass: nothing is retried, and it clears when a new spec or berth restart runs the
 * replica again and it completes. Pure.
 */
final class OneShotFailure {
    static final String REASON = "ContainerFailed";

    private OneShotFailure() {
    }

    static Optional<StackConditions.Failure> of(StackOutcome outcome) {
        List<FinishedReplica> failed = outcome.finished().stream().filter(FinishedReplica::failed).toList();
        if (failed.isEmpty()) {
            return Optional.empty();
        }
        FinishedReplica first = failed.get(0);
        String more = failed.size() > 1 ? " (and " + (failed.size() - 1) + " more)" : "";
        return Optional.of(new StackConditions.Failure(REASON, first.name() + " exited with code " + first.exitCode()
                + more + "; its restart policy does not start it again (berth restart stack runs it again)", false));
    }

    /** The status row's reason for a replica left exited: "completed", "failed: exit code N", or "" (not one). */
    static String rowReason(FinishedReplica r) {
        if (r.completed()) {
            return "completed";
        }
        return r.failed() ? "failed: exit code " + r.exitCode() : "";
    }
}
