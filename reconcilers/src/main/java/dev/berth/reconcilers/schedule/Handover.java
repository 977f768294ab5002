package dev.berth.reconcilers.schedule;

import java.util.Objects;

/**
 * Replica {@code replica} of {@code service} moves from host {@code from} to host {@code to} (a drain or a
 * rebalance): {@code to} runs it as assigned, and {@code from} keeps its container until the scheduler sees the
 * replica running (healthy, if checked) on {@code to} and drops the handover. That is start-first across hosts.
 * {@code since} (ISO-8601, null when unknown) is when the move began: a move whose target never runs the replica is
 * given up after a while, so one broken host does not hold a drain for ever.
 */
public record Handover(String service, int replica, String from, String to, String since) {
    public Handover {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }

    public Handover(String service, int replica, String from, String to) {
        this(service, replica, from, to, null);
    }

    public Handover since(String when) {
        return new Handover(service, replica, from, to, when);
    }
}
