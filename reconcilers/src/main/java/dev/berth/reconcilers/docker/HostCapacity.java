package dev.berth.reconcilers.docker;

/** What the Docker host offers, as {@code docker info} reports it: CPUs in millicores, memory in bytes. */
public record HostCapacity(long cpuMillis, long memoryBytes) {
}
