package dev.berth.operator.kit;

import dev.berth.reconcilers.Deadline;

/**
 * What the controller's loop calls with a key: brings one object (by name) to its declared state. Called by at most
 * one worker at a time per name. The deadline is when the pass should give its worker back (work left over is a
 * requeue, not a longer pass); the controller counts passes that end after it.
 */
@FunctionalInterface
public interface Reconciler {
    ReconcileResult reconcile(String name, Deadline deadline);
}
