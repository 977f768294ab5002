package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.DockerActionException;
import java.util.List;
import java.util.Optional;

/** What an apply did: the actions that succeeded, and the one that failed (applying stops there). */
public record ApplyReport(List<StackAction> done, Optional<StackAction> failedAction,
                          Optional<DockerActionException> failure) {
    public ApplyReport {
        done = List.copyOf(done);
    }

    public boolean succeeded() {
        return failure.isEmpty();
    }
}
