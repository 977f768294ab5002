package dev.berth.operator.waiting;

import java.util.List;

/**
 * What a wait found at one moment: the state, its reason (for Failed the condition's CamelCase reason; while
 * waiting the first thing still missing, as a person reads it), a message (Failed only) and one row per host and
 * service to show the progress.
 */
public record Verdict(State state, String reason, String message, List<Row> rows) {
    public Verdict {
        rows = List.copyOf(rows);
        message = message == null ? "" : message;
    }

    public enum State {
        /** Every host that should run the stack runs its current revision, Ready, and nothing progresses. */
        READY,
        /** A host reports Degraded (ImageNotFound, RolloutFailed, ...) for the current revision. */
        FAILED,
        /** The stack was deleted. */
        GONE,
        /** Not there yet. */
        WAITING
    }

    /**
     * One service on one host: running against desired containers and what it waits for ("" when nothing). The host
     * is "-" for what no host has yet (replicas the scheduler has not placed).
     */
    public record Row(String host, String service, int running, int desired, String reason) {
    }

    public boolean done() {
        return state != State.WAITING;
    }
}
