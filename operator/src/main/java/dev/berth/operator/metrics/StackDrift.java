package dev.berth.operator.metrics;

import dev.berth.reconcilers.labels.BerthLabels;
import dev.berth.reconcilers.stack.ObservedStack;
import dev.berth.reconcilers.stack.StackAction;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pure: which kind of drift each action of a stack reconcile corrected ({@link DriftMetrics#DRIFTS}). A container
 * created in place of one that was removed in the same pass is the second half of that correction and is not
 * counted again; a create with nothing in its slot is "missing".
 */
public final class StackDrift {
    private StackDrift() {
    }

    public static Map<String, Integer> classify(List<StackAction> done, ObservedStack seen) {
        Map<String, Integer> counts = new TreeMap<>();
        for (StackAction action : done) {
            String drift = classify(action, seen);
            if (drift != null) {
                counts.merge(drift, 1, Integer::sum);
            }
        }
        return counts;
    }

    static String classify(StackAction action, ObservedStack seen) {
        if (action instanceof StackAction.CreateContainer c && c.replaces() != null) {
            return removeReason(c.replaces().reason());
        }
        if (action instanceof StackAction.CreateContainer c) {
            String replica = Integer.toString(c.plan().replica());
            boolean slotTaken = seen.containers().stream().anyMatch(o ->
                    c.plan().service().equals(o.labels().get(BerthLabels.SERVICE))
                            && replica.equals(o.labels().get(BerthLabels.REPLICA)));
            return slotTaken ? null : "missing";
        }
        if (action instanceof StackAction.CreateNetwork n) {
            boolean present = seen.networks().stream().anyMatch(o ->
                    n.plan().declaredName().equals(o.labels().get(BerthLabels.NETWORK)));
            return present ? null : "missing";
        }
        if (action instanceof StackAction.StartContainer) {
            return "stopped";
        }
        if (action instanceof StackAction.RemoveContainer r) {
            return removeReason(r.reason());
        }
        if (action instanceof StackAction.RemoveNetwork r) {
            return removeReason(r.reason());
        }
        if (action instanceof StackAction.RemoveLeftover) {
            return "stopped"; // a dead container, as "state dead" was counted before it had an action of its own
        }
        return null;
    }

    /** The planner's removal reasons (StackPlanner) mapped to drift kinds. */
    private static String removeReason(String reason) {
        if (reason.equals("spec changed")) {
            return "spec_changed";
        }
        if (reason.startsWith("renamed")) {
            return "renamed";
        }
        if (reason.startsWith("state ")) {
            return "stopped";
        }
        if (reason.startsWith("duplicate") || reason.equals("scaled down") || reason.equals("bad replica label")) {
            return "extra";
        }
        return "orphan"; // service not declared, network not declared, stack not wanted on this host
    }
}
