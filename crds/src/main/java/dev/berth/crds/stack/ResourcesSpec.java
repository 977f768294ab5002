package dev.berth.crds.stack;

/**
 * CPU and memory limits; memory values are quantities like {@code 256m} or {@code 1g}. {@code reservations} is
 * what each replica needs free on a host: the scheduler subtracts it from the host's capacity (Docker is not told).
 */
public record ResourcesSpec(Double cpus, String memory, String memoryReservation, Reservations reservations) {
    public ResourcesSpec(Double cpus, String memory, String memoryReservation) {
        this(cpus, memory, memoryReservation, null);
    }

    /** CPUs (e.g. 0.5) and memory (a quantity) one replica reserves on its host. */
    public record Reservations(Double cpus, String memory) {
    }
}
