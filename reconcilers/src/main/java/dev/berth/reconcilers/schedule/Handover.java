package dev.berth.reconcilers.schedule;

import java.util.Objects;

/**
 * Replica {@code replica} of {@code service} moves from host {@code from} to host {@code to} (a drain or a
 * rebalance): {@code to} runs it as assigned, and {@code from} keeps its container until the scheduler sees the
 * replica running (healthy, if checked) on {@code to} and drops the handover. That is start-first across hosts.
 */
public record Handover(String service, int replica, String from, String to) {
    public Handover {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }
}
