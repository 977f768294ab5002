package dev.berth.operator.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.time.Duration;
import java.util.Arrays;

/**
 * Keeps every histogram small: Micrometer's percentile histograms publish ~70 buckets per series, which made one idle
 * host's scrape ~1,150 samples (issue 22). This filter turns them off for every timer and distribution summary, and
 * gives each Berth timer without its own small set of bounds (or with more than {@link #MAX_BOUNDS}) the shared
 * {@link #DURATIONS}, so a new timer cannot bring the percentile buckets back. Micrometer's own JVM timers keep no
 * buckets (count, sum and max), as before.
 */
public final class HistogramBuckets implements MeterFilter {
    /** Bucket bounds of a Berth duration: from a quick etcd call to a slow Docker one. */
    public static final Duration[] DURATIONS = {Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(10),
            Duration.ofSeconds(30)};
    /** The most bounds a histogram may have (+Inf comes on top). */
    public static final int MAX_BOUNDS = 11;

    private static final double[] DURATION_NANOS = Arrays.stream(DURATIONS).mapToDouble(Duration::toNanos).toArray();

    @Override
    public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (id.getType() != Meter.Type.TIMER && id.getType() != Meter.Type.DISTRIBUTION_SUMMARY) {
            return config;
        }
        DistributionStatisticConfig.Builder fixed = DistributionStatisticConfig.builder().percentilesHistogram(false);
        double[] bounds = config.getServiceLevelObjectiveBoundaries();
        boolean ownSmallSet = bounds != null && bounds.length > 0 && bounds.length <= MAX_BOUNDS;
        if (id.getType() == Meter.Type.TIMER && id.getName().startsWith("berth.") && !ownSmallSet) {
            fixed.serviceLevelObjectives(DURATION_NANOS);
        }
        return fixed.build().merge(config);
    }
}
