package dev.berth.operator.observability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The size of one idle host's scrape (issue 22): every histogram has a small fixed set of buckets, never
 * Micrometer's ~70 percentile buckets, so a Prometheus scraping many hosts stores a bounded number of series each.
 */
class ScrapeSizeTest {
    /** Buckets of one histogram series, +Inf included: the largest set (overlay probe rtt) has 10 bounds. */
    private static final int MAX_BUCKETS = 12;
    /**
     * Samples of an idle operator with three stacks: measured 775 with the fixed buckets, 1,500 with Micrometer's
     * percentile buckets (reconcile and work queue timers, ~70 buckets per controller). Most of the rest is per
     * Docker operation (14 x 13 samples) and per etcd operation; none grows with stacks. The slack (~15 %) takes a
     * few new meters or GC causes, not one meter per object nor a timer family back on percentile buckets.
     */
    private static final int MAX_SAMPLES = 900;

    @Test
    void idleScrapeHasFewBucketsAndABoundedSize() throws Exception {
        try (TestOperator op = TestOperator.create().start()) {
            List<String> stacks = List.of(op.name("a"), op.name("b"), op.name("c"));
            for (String s : stacks) {
                op.apply(StackYaml.stack(s).yaml());
            }
            stacks.forEach(s -> op.awaitReady(s, 1));
            String scrape = op.scrape();
            // Kept for a look at what a grown scrape holds.
            java.nio.file.Files.writeString(java.nio.file.Path.of("target", "idle-scrape.txt"), scrape);

            Map<String, Integer> buckets = bucketsPerSeries(scrape);
            long samples = samples(scrape);
            System.out.println("ScrapeSizeTest: " + samples + " samples, " + buckets.size() + " histogram series; biggest: "
                    + biggest(scrape));
            assertTrue(!buckets.isEmpty(), "the scrape has histograms:\n" + scrape);
            Map<String, Integer> tooMany = buckets.entrySet().stream().filter(e -> e.getValue() > MAX_BUCKETS)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
            assertTrue(tooMany.isEmpty(), "histogram series with more than " + MAX_BUCKETS + " buckets: " + tooMany);

            assertTrue(samples <= MAX_SAMPLES, "an idle operator with 3 stacks serves " + samples + " samples (at most "
                    + MAX_SAMPLES + " expected); biggest metrics: " + biggest(scrape));
        }
    }

    /** Every sample line (not a comment, not blank). */
    static long samples(String scrape) {
        return scrape.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).count();
    }

    /** {@code name{labels but le}} of each {@code _bucket} series -> its bucket count. */
    static Map<String, Integer> bucketsPerSeries(String scrape) {
        Map<String, Integer> counts = new TreeMap<>();
        scrape.lines().filter(l -> !l.startsWith("#")).map(l -> l.substring(0, l.lastIndexOf(' ')).trim())
                .filter(series -> series.split("\\{", 2)[0].endsWith("_bucket"))
                .map(series -> series.replaceAll("le=\"[^\"]*\",?", "").replace(",}", "}"))
                .forEach(series -> counts.merge(series, 1, Integer::sum));
        return counts;
    }

    /** The ten metric names with the most samples, to say where a grown scrape grew. */
    private static String biggest(String scrape) {
        Map<String, Long> byName = scrape.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .collect(Collectors.groupingBy(l -> l.split("[{ ]", 2)[0], Collectors.counting()));
        return byName.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(10)
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }
}
