package dev.berth.reconcilers.stack;

/**
 * Replicas of one service on this host: how many run, how many should, and how many of a one-shot service
 * ({@link FinishedReplica}) ran to their end: {@code completed} with exit 0, {@code failed} with another code.
 */
public record Counts(int running, int desired, int completed, int failed) {
    public Counts(int running, int desired) {
        this(running, desired, 0, 0);
    }
}
