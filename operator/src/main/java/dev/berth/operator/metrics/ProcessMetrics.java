package dev.berth.operator.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * The two process metrics every Prometheus client serves, under client_java's names, so the usual dashboards and
 * alerts work on Berth: {@code process_cpu_seconds_total} (Micrometer's own {@code process.cpu.time} would be
 * exported in nanoseconds, which {@link BerthRegistry} drops) and {@code process_resident_memory_bytes}
 * ({@code VmRSS} of {@code /proc/self/status}; NaN where there is no such file).
 */
public final class ProcessMetrics implements MeterBinder {
    private final Path status;
    private final LongSupplier cpuNanos;

    /**
     * @param status   a {@code /proc/<pid>/status} file
     * @param cpuNanos CPU time the process used (user + system), in nanoseconds; negative when unknown
     */
    public ProcessMetrics(Path status, LongSupplier cpuNanos) {
        this.status = status;
        this.cpuNanos = cpuNanos;
    }

    /** This JVM: its /proc status and the CPU time the JDK's platform bean reports (-1 on a JVM without it). */
    public static ProcessMetrics ofThisProcess() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        LongSupplier cpu = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun::getProcessCpuTime : () -> -1;
        return new ProcessMetrics(Path.of("/proc/self/status"), cpu);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("process.cpu", this, ProcessMetrics::cpuSeconds).baseUnit("seconds")
                .description("CPU time the process used, user and system").register(registry);
        Gauge.builder("process.resident.memory", this, ProcessMetrics::residentBytes).baseUnit("bytes")
                .description("Resident memory of the process (VmRSS)").register(registry);
    }

    double cpuSeconds() {
        long nanos = cpuNanos.getAsLong();
        return nanos < 0 ? Double.NaN : nanos / 1e9;
    }

    double residentBytes() {
        try {
            for (String line : Files.readAllLines(status)) {
                // "VmRSS:	  123456 kB": the kernel always writes kB (KiB).
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
