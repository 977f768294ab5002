package dev.berth.operator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Every histogram of the operator's registry has a small fixed set of buckets, whatever its builder asked for. */
class HistogramBucketsTest {
    private final PrometheusMeterRegistry registry = BerthRegistry.create();

    private List<String> bounds(String name) {
        return registry.scrape().lines().filter(l -> l.startsWith(name + "_bucket{"))
                .map(l -> l.replaceAll(".*le=\"([^\"]+)\".*", "$1")).toList();
    }

    @Test
    void aBerthTimerAskingForPercentileBucketsGetsTheSharedDurations() {
        Timer.builder("berth.test.a").publishPercentileHistogram().register(registry).record(Duration.ofMillis(30));
        Timer.builder("berth.test.b").register(registry).record(Duration.ofMillis(30));
        List<String> shared = List.of("0.005", "0.025", "0.1", "0.25", "1.0", "2.5", "10.0", "30.0", "+Inf");
        assertEquals(shared, bounds("berth_test_a_seconds"));
        assertEquals(shared, bounds("berth_test_b_seconds"));
    }

    @Test
    void aSmallOwnSetStaysAndTooManyBoundsAreReplaced() {
        Timer.builder("berth.test.own").serviceLevelObjectives(Duration.ofNanos(100_000), Duration.ofMillis(1))
                .publishPercentileHistogram().register(registry);
        Timer.builder("berth.test.many").serviceLevelObjectives(IntStream.rangeClosed(1, 20)
                .mapToObj(Duration::ofMillis).toArray(Duration[]::new)).register(registry);
        assertEquals(List.of("1.0E-4", "0.001", "+Inf"), bounds("berth_test_own_seconds"));
        assertEquals(HistogramBuckets.DURATIONS.length + 1, bounds("berth_test_many_seconds").size());
    }

    @Test
    void otherTimersAndSummariesPublishNoPercentileBuckets() {
        Timer.builder("jvm.test.pause").publishPercentileHistogram().register(registry).record(Duration.ofMillis(3));
        DistributionSummary.builder("berth.test.size").publishPercentileHistogram().register(registry).record(42);
        assertEquals(List.of(), bounds("jvm_test_pause_seconds"));
        assertEquals(List.of(), bounds("berth_test_size"));
    }
}
