package dev.berth.operator.control;

import dev.berth.operator.events.EventRecorder;
import dev.berth.reconcilers.stack.ApplyReport;
import dev.berth.reconcilers.stack.StackAction;
import dev.berth.reconcilers.stack.StackOutcome;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns what a stack pass did into events: only actions Docker carried out (the report's done list, after the
 * calls returned), never the plan. A rollout is a desired revision the stack had not settled at on this host (a
 * converged pass with every replica decided and nothing held) that changed containers: RolloutStarted before its
 * first container events, RolloutSucceeded in the pass that settles it, RolloutFailed when an update is rolled
 * back. Container changes at the settled revision are repairs: their container events only.
 */
final class StackEvents {
    private static final String KIND = "stack";

    private final EventRecorder events;
    /** The revision each stack is rolling out on this host (RolloutStarted said, no end said yet). */
    private final Map<String, Long> rolling = new ConcurrentHashMap<>();
    /** The dead containers each stack's events named as not removable (each is named once, until it is gone). */
    private final Map<String, java.util.Set<String>> notRemovable = new ConcurrentHashMap<>();
    /** The revision each stack last settled at on this host. */
    private final Map<String, Long> settled = new ConcurrentHashMap<>();

    StackEvents(EventRecorder events) {
        this.events = events;
    }

    /**
     * @param revision   the desired object's mod revision (-1: gone)
     * @param wantedHere the stack exists and runs replicas on this host
     * @param complete   no replica waits for the scheduler, no service is held for its files or image
     */
    void passed(String stack, long revision, boolean wantedHere, boolean complete, StackOutcome outcome) {
        ApplyReport report = outcome.report();
        boolean changesContainers = report.done().stream().anyMatch(a -> a instanceof StackAction.CreateContainer
                || a instanceof StackAction.RemoveContainer || a instanceof StackAction.RetireContainer);
        Long at = rolling.get(stack);
        Long settledAt = settled.get(stack);
        if (wantedHere && changesContainers && (settledAt == null || settledAt != revision)
                && (at == null || at != revision)) {
            events.normal(KIND, stack, "RolloutStarted", "rolling out revision " + revision + " on this host");
            rolling.put(stack, revision);
        }
        for (StackAction action : report.done()) {
            containerEvents(stack, action);
        }
        leftoverEvents(stack, outcome);
        report.failure().ifPresent(f -> {
            if ("RolloutFailed".equals(f.reason())) {
                events.warning(KIND, stack, "RolloutFailed", f.message());
                rolling.remove(stack);
            } else {
                events.warning(KIND, stack, f.reason(), f.message());
            }
        });
        if (!wantedHere) {
            rolling.remove(stack);
            settled.remove(stack);
        } else if (outcome.converged() && complete) {
            settled.put(stack, revision);
            if (rolling.remove(stack, revision)) {
                events.normal(KIND, stack, "RolloutSucceeded", "revision " + revision + " runs on this host");
            }
        }
    }

    /**
     * A dead container Docker refuses to remove: one warning when it is first refused (a pass retries it every few
     * seconds, and an event for each would bury the rest). A container removed or no longer planned is forgotten.
     */
    private void leftoverEvents(String stack, StackOutcome outcome) {
        // By name: a holder Docker no longer lists has no id here. Kept while a pass still plans to free that name.
        java.util.Set<String> planned = new java.util.HashSet<>();
        for (StackAction a : outcome.planned()) {
            if (a instanceof StackAction.RemoveLeftover r) {
                planned.add(r.name());
            } else if (a instanceof StackAction.RenameContainer r) {
                planned.add(r.to());
            } else if (a instanceof StackAction.CreateContainer c) {
                planned.add(c.plan().name());
            }
        }
        java.util.Set<String> named = notRemovable.computeIfAbsent(stack, k -> ConcurrentHashMap.newKeySet());
        named.retainAll(planned);
        for (ApplyReport.Leftover l : outcome.report().leftovers()) {
            if (named.add(l.name())) {
                events.warning(KIND, stack, "ContainerNotRemovable", "container " + l.name()
                        + " cannot be removed by Docker; its replica runs under another name and the remove is retried: "
                        + l.message());
            }
        }
        if (named.isEmpty()) {
            notRemovable.remove(stack);
        }
    }

    /** A spec in etcd that does not validate: what runs stays. */
    void invalid(String stack, String message) {
        events.warning(KIND, stack, "InvalidSpec", message);
    }

    private void containerEvents(String stack, StackAction action) {
        if (action instanceof StackAction.CreateContainer a) {
            events.normal(KIND, stack, "Created", "created container " + a.plan().name() + " (image " + a.plan().image()
                    + ")");
            events.normal(KIND, stack, "Started", "started container " + a.plan().name());
            if (a.replaces() != null) {
                events.normal(KIND, stack, "Killed", "stopped and removed container " + a.replaces().name() + " ("
                        + a.replaces().reason() + ", replaced once its successor started)");
            }
        } else if (action instanceof StackAction.StartContainer a) {
            events.normal(KIND, stack, "Started", "started container " + a.name());
        } else if (action instanceof StackAction.RemoveContainer a) {
            events.normal(KIND, stack, "Killed", "stopped and removed container " + a.name() + " (" + a.reason() + ")");
        } else if (action instanceof StackAction.RetireContainer a) {
            events.normal(KIND, stack, "Killed", "stopped and removed container " + a.name() + " ("
                    + (a.replacement() == null ? "its replica moved to another host" : "replaced by " + a.replacement())
                    + ")");
        } else if (action instanceof StackAction.RemoveLeftover a) {
            events.normal(KIND, stack, "Killed", "removed container " + a.name() + " (" + a.state()
                    + ", which Docker had not removed)");
        } else if (action instanceof StackAction.AbortRollout a) {
            events.normal(KIND, stack, "Killed", "stopped and removed container " + a.name() + " (" + a.why() + ")");
        }
    }
}
