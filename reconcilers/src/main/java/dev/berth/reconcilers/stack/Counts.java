package dev.berth.reconcilers.stack;

/** Replicas of one service on this host: how many run, how many should. */
public record Counts(int running, int desired) {
}
