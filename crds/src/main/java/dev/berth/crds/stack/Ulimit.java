package dev.berth.crds.stack;

/** One resource limit of a container (Docker's {@code --ulimit NAME=SOFT:HARD}); -1 means unlimited. */
public record Ulimit(long soft, long hard) {
}
