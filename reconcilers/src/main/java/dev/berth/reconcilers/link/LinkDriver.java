package dev.berth.reconcilers.link;

import java.util.List;

/** Reads and writes Berth's kernel links. Implementations never return or touch links that are not Berth's. */
public interface LinkDriver {
    /** @throws LinkDriverException when the kernel state cannot be read (then nothing may be deleted) */
    LinkState read();

    /**
     * Runs the actions in one pass, stopping at the first failure.
     *
     * @throws LinkActionException naming the action that failed (the ones before it took effect)
     * @throws LinkDriverException when the run itself failed (timeout, tool missing) and no action can be named
     */
    void apply(List<LinkAction> actions);
}
