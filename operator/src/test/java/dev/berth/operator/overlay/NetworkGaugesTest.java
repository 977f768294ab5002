package dev.berth.operator.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.metrics.BerthRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class NetworkGaugesTest {

    @Test
    void aSeriesPerNetworkReadsItsValueWhenScrapedAndLeavesWithItsNetwork() {
        PrometheusMeterRegistry registry = BerthRegistry.create();
        Map<String, Integer> values = new ConcurrentHashMap<>(Map.of("blue", 2, "green", 1));
        NetworkGauges gauges = new NetworkGauges(registry, "berth.test.peers", "peers", n -> values.getOrDefault(n, 0));
        gauges.networks(Set.of("blue", "green"));
        values.put("blue", 3);
        String scrape = registry.scrape();
        assertTrue(scrape.contains("berth_test_peers{network=\"blue\"} 3.0"), scrape);
        assertTrue(scrape.contains("berth_test_peers{network=\"green\"} 1.0"), scrape);

        gauges.networks(Set.of("blue"));
        scrape = registry.scrape();
        assertTrue(scrape.contains("berth_test_peers{network=\"blue\"} 3.0"), scrape);
        assertFalse(scrape.contains("green"), scrape);
    }

    /** The overlay's gauges change as Networks come and go while Prometheus scrapes: no scrape may fail. */
    @Test
    void scrapesWhileNetworksComeAndGoNeverSeeASeriesTwice() throws Exception {
        PrometheusMeterRegistry registry = BerthRegistry.create();
        NetworkGauges gauges = new NetworkGauges(registry, "berth.test.peers", "peers", n -> 1);
        Set<String> some = Set.of("n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7");
        Set<String> more = Set.of("n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9");
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread scraper = new Thread(() -> {
            while (!done.get() && failed.get() == null) {
                try {
                    registry.scrape();
                } catch (RuntimeException e) {
                    failed.set(e);
                }
            }
        });
        scraper.start();
        for (int i = 0; i < 20_000 && failed.get() == null; i++) {
            gauges.networks(i % 2 == 0 ? some : more);
        }
        done.set(true);
        scraper.join();
        assertEquals(null, failed.get());
    }
}
