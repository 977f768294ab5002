package dev.berth.reconcilers.schedule;

/**
 * What one replica of a service reserves on its host: CPUs in millicores and memory in bytes. Zero in a dimension
 * means that dimension is not reserved, so it is not checked.
 */
public record Reservation(long cpuMillis, long memoryBytes) {
    public Reservation {
        if (cpuMillis < 0 || memoryBytes < 0) {
            throw new IllegalArgumentException("a reservation must not be negative: " + cpuMillis + "m CPU, "
                    + memoryBytes + " bytes");
        }
    }
}
