package dev.berth.operator.kit;

/** Brings one object (by name) to its declared state; called by at most one worker at a time per name. */
@FunctionalInterface
public interface Reconciler {
    ReconcileResult reconcile(String name);
}
