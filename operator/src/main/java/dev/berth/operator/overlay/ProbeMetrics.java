package dev.berth.operator.overlay;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The prober's metrics, one series per Network this host takes part in (a bounded label: Networks are declared
 * objects): {@code berth_overlay_peer_reachable{network}}, peers whose small probe was answered in the last round
 * (compare with {@code berth_overlay_peers}), and {@code berth_overlay_probe_rtt_seconds{network}}, round trips of
 * the small probes.
 */
public final class ProbeMetrics {
    private final MeterRegistry registry;
    private final Map<String, Integer> lastReachable = new ConcurrentHashMap<>();
    private final NetworkGauges reachable;
    private final Map<String, Timer> rtt = new ConcurrentHashMap<>();

    public ProbeMetrics(MeterRegistry registry) {
        this.registry = registry;
        reachable = new NetworkGauges(registry, "berth.overlay.peer.reachable",
                "Peer hosts of a Network whose overlay gateway answered this host's last probe",
                network -> lastReachable.getOrDefault(network, 0));
    }

    /** After a round: the reachable count of every Network probed (Networks left out lose their series). */
    public void round(Map<String, Integer> reachableByNetwork) {
        lastReachable.putAll(reachableByNetwork);
        reachable.networks(reachableByNetwork.keySet());
        lastReachable.keySet().retainAll(reachableByNetwork.keySet());
        Set<String> gone = Set.copyOf(rtt.keySet());
        gone.stream().filter(n -> !reachableByNetwork.containsKey(n)).forEach(n -> registry.remove(rtt.remove(n)));
    }

    public void rtt(String network, long micros) {
        rtt.computeIfAbsent(network, n -> Timer.builder("berth.overlay.probe.rtt").tag("network", n)
                .description("Round trip of the small overlay probes to peer gateways")
                .serviceLevelObjectives(Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
                        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
                        Duration.ofMillis(25), Duration.ofMillis(100), Duration.ofMillis(500))
                .register(registry)).record(micros, TimeUnit.MICROSECONDS);
    }
}
