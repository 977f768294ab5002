package dev.berth.operator.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.network.NetworkSpec;
import dev.berth.operator.Await;
import dev.berth.reconcilers.link.KernelEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The watch's routing (pure) and its handling of monitor processes, with small shell scripts standing in for
 * {@code ip monitor}: bursts become one call per Network, foreign devices none, a monitor that dies comes back.
 */
class KernelWatchTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Map<String, NetworkSpec> NETWORKS = Map.of(
            "flat", new NetworkSpec(42, "10.42.0.0/16", 24, null, null, "flood"),
            "uni", new NetworkSpec(43, "10.43.0.0/16", 24, null, null, "unicast"));

    @Test
    void eventsNameTheNetworkWhoseDeviceOrEntriesChanged() {
        assertEquals(List.of("flat"), concerned(KernelEvent.Kind.LINK, "bv42", false));
        assertEquals(List.of("flat"), concerned(KernelEvent.Kind.LINK, "bv42", true));
        assertEquals(List.of("flat"), concerned(KernelEvent.Kind.FDB, "bv42", true));
        assertEquals(List.of("uni"), concerned(KernelEvent.Kind.NEIGH, "bb43", true));
        assertEquals(List.of("flat"), concerned(KernelEvent.Kind.LINK, "bb42", true));
        // Docker's bridge changes with every container it attaches: not Berth's business unless it is gone.
        assertEquals(List.of(), concerned(KernelEvent.Kind.LINK, "bb42", false));
        // Berth keeps no neighbours for a flood Network, and devices of VNIs no Network declares are not Berth's.
        assertEquals(List.of(), concerned(KernelEvent.Kind.NEIGH, "bb42", false));
        assertEquals(List.of(), concerned(KernelEvent.Kind.LINK, "bv4", false));
        assertEquals(List.of(), concerned(KernelEvent.Kind.LINK, "veth12ab", false));
    }

    private static List<String> concerned(KernelEvent.Kind kind, String device, boolean deleted) {
        return KernelWatch.networksConcerned(new KernelEvent(kind, device, deleted), NETWORKS);
    }

    @Test
    void aBurstOfEventsIsOneCallPerNetworkAndForeignDevicesNone() {
        String bv42 = "[LINK]3: bv42: <BROADCAST,MULTICAST> mtu 1450 master bb42 state DOWN";
        String veth = "[LINK]9: veth1@if8: <BROADCAST,MULTICAST,UP> mtu 1450 master bb42 state UP";
        // Five lines about bv42 and one about a veth, then, well after the window, one FDB line about bv43.
        String script = "for i in 1 2 3 4 5; do echo '" + bv42 + "'; done; echo '" + veth + "'; sleep 1; echo 'x'";
        String fdb = "sleep 1.5; echo '00:00:00:00:00:00 dev bv43 dst 10.0.0.2 self permanent'; exec sleep 60";
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (KernelWatch watch = new KernelWatch(List.of(
                new KernelWatch.Monitor("link", List.of("sh", "-c", script + "; exec sleep 60"), KernelEvent::ipMonitor),
                new KernelWatch.Monitor("fdb", List.of("sh", "-c", fdb), KernelEvent::bridgeMonitor)),
                KernelWatch.WINDOW, e -> KernelWatch.networksConcerned(e, NETWORKS), NETWORKS::keySet,
                n -> calls.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet(), registry)) {
            watch.start();
            Await.until(WAIT, "a call for uni after its FDB line", () -> calls.containsKey("uni"), calls::toString);
            // uni's line came a second after the burst, long after flat's window closed: flat had its one call.
            assertEquals(1, calls.get("flat").get(), calls.toString());
            assertEquals(2, calls.size(), calls.toString());
            assertEquals(6, registry.get("berth.overlay.kernel.events").tag("result", "matched").counter().count());
            assertEquals(2, registry.get("berth.overlay.kernel.events").tag("result", "ignored").counter().count());
        }
    }

    @Test
    void aMonitorThatExitsIsStartedAgainAndWhatItMissedIsLookedAt() {
        AtomicInteger everything = new AtomicInteger();
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        KernelWatch watch = new KernelWatch(List.of(
                new KernelWatch.Monitor("link", List.of("sh", "-c", "echo started; exit 3"), KernelEvent::ipMonitor)),
                KernelWatch.WINDOW, e -> KernelWatch.networksConcerned(e, NETWORKS), () -> {
                    everything.incrementAndGet();
                    return NETWORKS.keySet();
                }, n -> calls.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet(), registry);
        try {
            watch.start();
            Await.until(WAIT, "two restarts", () -> restarts(registry) >= 2);
            Await.until(WAIT, "every Network looked at after a restart",
                    () -> everything.get() >= 1 && calls.containsKey("flat") && calls.containsKey("uni"), calls::toString);
        } finally {
            watch.close();
        }
        double after = restarts(registry);
        assertTrue(after >= 2);
        // close() joined the monitor's thread: nothing restarts any more.
        assertEquals(after, restarts(registry));
    }

    private static double restarts(SimpleMeterRegistry registry) {
        return registry.get("berth.overlay.kernel.monitor.restarts").tag("monitor", "link").counter().count();
    }

    @Test
    void aMissingToolIsRetriedNotFatal() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (KernelWatch watch = new KernelWatch(List.of(new KernelWatch.Monitor("link",
                List.of("/nonexistent/ip", "monitor"), KernelEvent::ipMonitor)), KernelWatch.WINDOW,
                e -> List.of(), List::of, n -> { }, registry)) {
            watch.start();
            Await.until(WAIT, "a restart after the failed start", () -> restarts(registry) >= 1);
        }
    }

    @Test
    void commandsRunInTheManagedNamespace() {
        assertEquals("ip -n bn1 -4 -o monitor label link neigh",
                String.join(" ", KernelEvent.ipMonitorCommand(Optional.of("bn1"))));
    }
}
