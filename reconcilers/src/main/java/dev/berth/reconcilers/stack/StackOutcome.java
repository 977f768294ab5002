package dev.berth.reconcilers.stack;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The result of one reconcile pass; the operator turns it into status and metrics. {@code finished}: the replicas of
 * one-shot services whose container of the current spec exited and is left so ({@link FinishedReplica}).
 */
public record StackOutcome(List<StackAction> planned, ApplyReport report, Map<String, Counts> perService,
                           List<FinishedReplica> finished) {
    public StackOutcome {
        planned = List.copyOf(planned);
        perService = Map.copyOf(perService);
        finished = finished == null ? List.of() : List.copyOf(finished);
    }

    /** Nothing finished. */
    public StackOutcome(List<StackAction> planned, ApplyReport report, Map<String, Counts> perService) {
        this(planned, report, perService, List.of());
    }

    /**
     * Every planned action ran and none was a wait: what the host has is what the plan wanted (each action is an
     * idempotent "ensure", so the next plan from a fresh list is empty unless something changed meanwhile).
     */
    public boolean converged() {
        return report.failure().isEmpty() && report.deferred().isEmpty() && !waiting();
    }

    /** The plan holds waits (a replacement to become healthy, a dependency, other replicas first): look again soon. */
    public boolean waiting() {
        return planned.stream().anyMatch(a -> a instanceof StackAction.Wait);
    }

    /** When the actions this pass left for later can run (a drain's end, or at once after a deadline). */
    public Optional<Duration> resumeAfter() {
        return report.resumeAfter();
    }
}
