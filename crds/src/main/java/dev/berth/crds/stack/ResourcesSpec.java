package dev.berth.crds.stack;

/** CPU and memory limits; memory values are quantities like {@code 256m} or {@code 1g}. */
public record ResourcesSpec(Double cpus, String memory, String memoryReservation) {
}
