package dev.berth.operator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** client_java's two standard process metrics, with their names, types and units. */
class ProcessMetricsTest {
    @TempDir
    Path dir;

    private static double sample(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(name.length() + 1))).orElseThrow(() -> new AssertionError(
                        name + " not in\n" + scrape));
    }

    @Test
    void cpuSecondsAndResidentBytesFromTheStatusFileAndTheCpuClock() throws Exception {
        Path status = Files.writeString(dir.resolve("status"), "Name:\tjava\nVmPeak:\t  999 kB\nVmRSS:\t  2048 kB\nThreads:\t9\n");
        PrometheusMeterRegistry registry = BerthRegistry.create();
        new ProcessMetrics(status, () -> 1_500_000_000L).bindTo(registry);
        String scrape = registry.scrape();
        assertTrue(scrape.contains("# TYPE process_cpu_seconds_total counter"), scrape);
        assertTrue(scrape.contains("# TYPE process_resident_memory_bytes gauge"), scrape);
        assertEquals(1.5, sample(scrape, "process_cpu_seconds_total"));
        assertEquals(2048 * 1024.0, sample(scrape, "process_resident_memory_bytes"));
    }

    @Test
    void thisProcessReportsRealValues() {
        PrometheusMeterRegistry registry = BerthRegistry.create();
        ProcessMetrics.ofThisProcess().bindTo(registry);
        String scrape = registry.scrape();
        assertTrue(sample(scrape, "process_cpu_seconds_total") > 0, scrape);
        assertTrue(sample(scrape, "process_resident_memory_bytes") > 10_000_000, scrape);
    }

    @Test
    void noStatusFileIsNaNNotAnError() {
        PrometheusMeterRegistry registry = BerthRegistry.create();
        new ProcessMetrics(dir.resolve("missing"), () -> -1).bindTo(registry);
        String scrape = registry.scrape();
        assertTrue(Double.isNaN(sample(scrape, "process_resident_memory_bytes")), scrape);
        assertTrue(Double.isNaN(sample(scrape, "process_cpu_seconds_total")), scrape);
    }
}
