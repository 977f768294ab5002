package dev.berth.reconcilers.stack;

import java.util.List;
import java.util.Map;

/** The result of one reconcile pass; the operator turns it into status and metrics. */
public record StackOutcome(List<StackAction> planned, ApplyReport report, Map<String, Counts> perService) {
    public StackOutcome {
        planned = List.copyOf(planned);
        perService = Map.copyOf(perService);
    }
}
