package dev.berth.reconcilers.schedule;

/**
 * What a host offers to reservations: CPUs in millicores and memory in bytes, as {@code docker info} reports them.
 * A caller planning one stack at a time passes what is left after other stacks' reservations on that host.
 */
public record Capacity(long cpuMillis, long memoryBytes) {
    public Capacity {
        if (cpuMillis < 0 || memoryBytes < 0) {
            throw new IllegalArgumentException("capacity must not be negative: " + cpuMillis + "m CPU, "
                    + memoryBytes + " bytes");
        }
    }
}
