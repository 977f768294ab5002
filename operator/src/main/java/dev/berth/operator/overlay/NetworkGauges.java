package dev.berth.operator.overlay;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * A gauge with one series per Network (a bounded label: Networks are declared objects). A Network's series is added
 * once and stays until the Network leaves the set; its value is read when scraped. Micrometer's MultiGauge with
 * {@code overwrite} removes and adds every row again on each update, and a Prometheus scrape at that moment can read
 * a row twice and fail the whole scrape with a DuplicateLabelsException (micrometer issue 6851).
 */
final class NetworkGauges {
    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final ToDoubleFunction<String> valueOf;
    private final Map<String, Gauge> gauges = new HashMap<>();

    NetworkGauges(MeterRegistry registry, String name, String description, ToDoubleFunction<String> valueOf) {
        this.registry = registry;
        this.name = name;
        this.description = description;
        this.valueOf = valueOf;
    }

    /** Series for exactly these Networks: new ones are added, those not named removed, the others untouched. */
    synchronized void networks(Set<String> networks) {
        gauges.entrySet().removeIf(e -> {
            if (networks.contains(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue());
            return true;
        });
        for (String network : networks) {
            gauges.computeIfAbsent(network, n -> Gauge.builder(name, () -> valueOf.applyAsDouble(n))
                    .tag("network", n).description(description).register(registry));
        }
    }
}
