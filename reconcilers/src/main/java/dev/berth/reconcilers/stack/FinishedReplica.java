package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.ContainerPlan;
import dev.berth.reconcilers.docker.ObservedContainer;
import java.util.Set;

/**
 * A replica of a one-shot service ({@code restart: no} or {@code on-failure}) whose container of the current spec
 * exited: Docker will not start it again, and neither does Berth (Compose's and Swarm's {@code condition: none}:
 * the task is over). {@code exitCode} is null while nobody has inspected the container yet. Exit 0 is completed;
 * anything else is a failure to report, not to repair.
 */
public record FinishedReplica(String name, String service, Integer exitCode) {
    /** Restart policies under which an exited container stays exited: Docker gave up on it, or it succeeded. */
    private static final Set<String> ONE_SHOT = Set.of("no", "on-failure");

    public boolean completed() {
        return exitCode != null && exitCode == 0;
    }

    public boolean failed() {
        return exitCode != null && exitCode != 0;
    }

    /** Whether an exited container under this plan's restart policy has ended for good (kept, not recreated). */
    static boolean endsWhenExited(ContainerPlan plan) {
        return plan.restart() != null && ONE_SHOT.contains(plan.restart().name());
    }

    /** Whether {@code c} is this plan's container (name and spec hash) and has ended for good. */
    static boolean isFinished(ContainerPlan plan, ObservedContainer c) {
        return "exited".equals(c.state()) && endsWhenExited(plan) && plan.name().equals(c.name())
                && plan.specHash().equals(c.labels().get(dev.berth.reconcilers.labels.BerthLabels.SPEC_HASH));
    }

    static FinishedReplica of(ContainerPlan plan, ObservedContainer c) {
        return new FinishedReplica(c.name(), plan.service(), c.run() == null ? null : c.run().exitCode());
    }
}
