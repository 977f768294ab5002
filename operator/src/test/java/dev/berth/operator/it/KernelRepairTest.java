package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.operator.Await;
import dev.berth.operator.Manifest;
import dev.berth.operator.Operator;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Kernel drift repaired from the kernel's own notifications: two hosts in namespaces, one flood-mode Network, a
 * global stack on it; the resync period is ten minutes, so only the kernel watch can repair within the test. Each
 * change is made by hand in one host's namespace, and the device must be whole again (up, on its bridge, a flood
 * entry to the other host) within 2 s of it, with exactly the link operations that repair needs, none on the other
 * host, and a network controller that falls quiet afterwards (its own repairs' events do not feed a loop). Last, the
 * same for a unicast Network's neighbour and per-container FDB entry.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RunsOnOwnHosts
class KernelRepairTest {
    private static final Duration SETUP = Duration.ofSeconds(180);
    private static final Duration REPAIR = Duration.ofSeconds(2);
    private static final List<String> OPERATIONS = List.of("create_vxlan", "delete_link", "set_master", "set_up",
            "append_fdb", "replace_fdb", "delete_fdb", "replace_neigh", "delete_neigh");
    private static OverlayTestBed bed;
    private static int vni;
    private static String network;
    private static String device;
    private static String subnet;

    @BeforeAll
    static void setUp() throws Exception {
        bed = new OverlayTestBed(2);
        for (OverlayTestBed.Host host : bed.hosts) {
            host.harness = TestOperator.builder().etcd(bed.etcd).dockerHost(host.dockerd.host())
                    .underlay(new Operator.Underlay(Optional.of("ul0"), Optional.empty(), Optional.of(host.netns)))
                    .routes(bed.traefikRoot(), null).resync(Duration.ofMinutes(10)).build();
            host.harness.start();
        }
        vni = 200000 + Integer.parseInt(bed.id, 16);
        network = "kr" + bed.id;
        device = "bv" + vni;
        subnet = "10." + (bed.underlayOctet - 60) + ".0.0/16";
        TestOperator first = bed.hosts.get(0).harness;
        // A fresh JVM's first etcd calls can time out on a loaded machine: storing is idempotent, so try again.
        Await.until(SETUP, "the Network and a global stack on it stored", () -> {
            first.apply(Manifest.network(network, "vni: " + vni + "\nsubnet: " + subnet));
            first.apply(StackYaml.stack(first.instance + "-kr").global().networks(network).yaml());
            return true;
        });
        for (OverlayTestBed.Host host : bed.hosts) {
            Await.until(SETUP, "the overlay programmed on " + host.harness.host, () -> whole(host),
                    () -> describe(host));
        }
        for (OverlayTestBed.Host host : bed.hosts) {
            awaitQuiet(host);
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    void aDeletedVxlanDeviceIsBackWithItsEntriesWithinTwoSeconds() throws Exception {
        repairedWithinTwoSeconds(List.of("ip", "-n", "NS", "link", "delete", device),
                Map.of("create_vxlan", 1.0, "append_fdb", 1.0), KernelRepairTest::whole);
    }

    @Test
    void aDeletedFdbEntryIsBackWithinTwoSeconds() throws Exception {
        repairedWithinTwoSeconds(List.of("bridge", "-n", "NS", "fdb", "del", "00:00:00:00:00:00", "dev", device,
                "dst", "PEER", "self"), Map.of("append_fdb", 1.0), KernelRepairTest::whole);
    }

    @Test
    void aDeviceSetDownIsUpAgainWithinTwoSeconds() throws Exception {
        repairedWithinTwoSeconds(List.of("ip", "-n", "NS", "link", "set", device, "down"), Map.of("set_up", 1.0),
                KernelRepairTest::whole);
    }

    /**
     * Peers arriving and going are programmed by passes over peers only: the kernel's notifications of Berth's own
     * entries are recognised as its own and ask for no full pass (before, 40 peers were 40 echoes and a full pass per
     * window of them), while a change by hand still does (the tests above).
     */
    @Test
    void berthsOwnEntriesForNewPeersAskForNoFullPass() throws Exception {
        OverlayTestBed.Host host = bed.hosts.get(1);
        TestOperator first = bed.hosts.get(0).harness;
        awaitQuiet(host);
        double matched = host.harness.metric("berth_overlay_kernel_events_total", "result=\"matched\"");
        double appends = operations(host).getOrDefault("append_fdb", 0.0);
        List<String> peers = new java.util.ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (int i = 1; i <= 40; i++) {
            String peer = "kp" + bed.id + "-" + i;
            peers.add(peer);
            String now = java.time.Instant.now().toString();
            first.etcd.kv.put(first.etcd.keys.host(peer), json.writeValueAsString(new dev.berth.operator.control.HostRecord(
                    peer, Map.of(), "test", now, "10.254.77." + i, dev.berth.operator.control.HostRecord.vtepMacFor(peer),
                    List.of(new dev.berth.operator.control.HostRecord.HostNetwork(network, vni, 4789)), now)));
        }
        try {
            Await.until(SETUP, "40 more flood entries on " + host.harness.host,
                    () -> floodCount(host) == othersOf(host).size() + 40, () -> describe(host));
            awaitQuiet(host);
            assertEquals(appends + 40, operations(host).getOrDefault("append_fdb", 0.0), "one append per new peer");
            // Without telling its own echoes apart the watch matched one per entry (40); a stray event may still come.
            assertTrue(host.harness.metric("berth_overlay_kernel_events_total", "result=\"matched\"") - matched < 5,
                    "Berth's own 40 entries heard as its own: no full pass asked for");
        } finally {
            peers.forEach(p -> first.etcd.kv.delete(first.etcd.keys.host(p)));
        }
        Await.until(SETUP, "the 40 entries gone with their peers", () -> whole(host), () -> describe(host));
        awaitQuiet(host);
        assertTrue(host.harness.metric("berth_overlay_kernel_events_total", "result=\"matched\"") - matched < 5,
                "their deletions heard as Berth's own too");
    }

    /** Last (it changes the Network's mode): a unicast Network's neighbour and per-container entry come back too. */
    @Test
    @Order(Integer.MAX_VALUE)
    void inUnicastModeADeletedNeighbourOrContainerEntryIsBackWithinTwoSeconds() throws Exception {
        OverlayTestBed.Host host = bed.hosts.get(1);
        OverlayTestBed.Host other = bed.hosts.get(0);
        TestOperator first = other.harness;
        Await.until(SETUP, "the Network switched to unicast", () -> {
            first.apply(Manifest.network(network, "vni: " + vni + "\nsubnet: " + subnet + "\nmode: unicast"));
            return true;
        });
        var remote = first.docker.inspectContainerCmd(first.containers(first.instance + "-kr").get(0).getId()).exec()
                .getNetworkSettings().getNetworks().get(network);
        String ip = remote.getIpAddress();
        String mac = remote.getMacAddress();
        BooleanSupplier programmed = () -> neighbours(host).contains(ip + " " + mac)
                && containerEntries(host).contains(mac + " " + other.underlayIp);
        Await.until(SETUP, "a neighbour and an FDB entry for " + ip + " (" + mac + ") on " + host.harness.host,
                programmed, () -> describe(host));
        awaitQuiet(host);
        awaitQuiet(other);
        repairedWithinTwoSeconds(List.of("ip", "-n", "NS", "neigh", "del", ip, "dev", "bb" + vni),
                Map.of("replace_neigh", 1.0), h -> programmed.getAsBoolean());
        repairedWithinTwoSeconds(List.of("bridge", "-n", "NS", "fdb", "del", mac, "dev", device, "dst", "PEER", "self"),
                Map.of("replace_fdb", 1.0), h -> programmed.getAsBoolean());
    }

    /** "IP MAC" of each permanent neighbour on the Network's bridge. */
    private static Set<String> neighbours(OverlayTestBed.Host host) {
        Set<String> out = new HashSet<>();
        try {
            for (JsonNode n : new ObjectMapper().readTree(OverlayTestBed.run("ip", "-n", host.netns, "-j", "neigh", "show",
                    "nud", "permanent", "dev", "bb" + vni))) {
                out.add(n.path("dst").asText() + " " + n.path("lladdr").asText());
            }
        } catch (Exception e) {
            return Set.of();
        }
        return out;
    }

    /** "MAC DST" of each permanent per-container entry on the VXLAN device. */
    private static Set<String> containerEntries(OverlayTestBed.Host host) {
        Set<String> out = new HashSet<>();
        try {
            for (JsonNode e : new ObjectMapper().readTree(OverlayTestBed.run("bridge", "-n", host.netns, "-j", "fdb",
                    "show", "dev", device))) {
                if (!"00:00:00:00:00:00".equals(e.path("mac").asText()) && e.has("dst")
                        && "permanent".equals(e.path("state").asText())) {
                    out.add(e.path("mac").asText() + " " + e.path("dst").asText());
                }
            }
        } catch (Exception e) {
            return Set.of();
        }
        return out;
    }

    /** The link monitor killed (as a reboot of iproute2 would): started again, and it still hears the next change. */
    @Test
    void aKilledMonitorIsStartedAgainAndStillRepairs() throws Exception {
        OverlayTestBed.Host host = bed.hosts.get(1);
        ProcessHandle monitor = linkMonitor(host).orElseThrow(() -> new AssertionError("no ip monitor for " + host.netns));
        double restarts = host.harness.metric("berth_overlay_kernel_monitor_restarts_total", "monitor=\"link\"");
        monitor.destroyForcibly();
        Await.until(Duration.ofSeconds(30), "the link monitor started again", () ->
                host.harness.metric("berth_overlay_kernel_monitor_restarts_total", "monitor=\"link\"") == restarts + 1
                        && linkMonitor(host).filter(p -> p.pid() != monitor.pid()).isPresent());
        awaitQuiet(host);
        repairedWithinTwoSeconds(List.of("ip", "-n", "NS", "link", "set", device, "down"), Map.of("set_up", 1.0),
                KernelRepairTest::whole);
    }

    /** The {@code ip -n NS ... monitor} process this JVM's operator for {@code host} runs. */
    private static Optional<ProcessHandle> linkMonitor(OverlayTestBed.Host host) {
        return ProcessHandle.current().descendants().filter(p -> p.info().commandLine()
                .map(c -> c.startsWith("ip ") || c.contains("/ip ")).orElse(false))
                .filter(p -> p.info().commandLine().map(c -> c.contains(" -n " + host.netns + " ")
                        && c.contains(" monitor ")).orElse(false))
                .findFirst();
    }

    /**
     * Runs {@code change} in the second host's namespace (NS and PEER replaced by it and by the first host's underlay
     * address), then waits at most 2 s for {@code repaired} to hold again; afterwards, once the network controller is
     * quiet, the link operations on that host are exactly {@code repair} and on the other host none.
     */
    private static void repairedWithinTwoSeconds(List<String> change, Map<String, Double> repair,
                                                 Predicate<OverlayTestBed.Host> repaired) throws Exception {
        OverlayTestBed.Host host = bed.hosts.get(1);
        OverlayTestBed.Host other = bed.hosts.get(0);
        Map<String, Double> before = operations(host);
        Map<String, Double> otherBefore = operations(other);
        double eventsBefore = host.harness.metric("berth_overlay_kernel_events_total", "result=\"matched\"");
        String[] command = change.stream().map(w -> w.equals("NS") ? host.netns : w.equals("PEER") ? other.underlayIp : w)
                .toArray(String[]::new);
        assertTrue(repaired.test(host), "as declared before the change: " + describe(host));

        OverlayTestBed.run(command);
        long changed = System.nanoTime();
        Await.until(REPAIR, "repaired after '" + String.join(" ", command) + "'", () -> repaired.test(host),
                () -> describe(host));
        long tookMs = (System.nanoTime() - changed) / 1_000_000;
        System.out.println("seen repaired " + tookMs + " ms after '" + String.join(" ", command) + "' (checks included)");

        awaitQuiet(host);
        awaitQuiet(other);
        assertEquals(repair, delta(before, operations(host)),
                "link operations on " + host.harness.host + ": the repair and nothing else");
        assertEquals(Map.of(), delta(otherBefore, operations(other)),
                "link operations on " + other.harness.host + ", whose links nobody touched");
        assertTrue(host.harness.metric("berth_overlay_kernel_events_total", "result=\"matched\"") > eventsBefore,
                "the kernel watch heard the change");
        assertEquals(0.0, host.harness.metric("berth_resyncs_total"), "no resync ran: the events repaired it");
    }

    /** The device up, enslaved to its bridge, with a flood entry to exactly the other host. */
    private static boolean whole(OverlayTestBed.Host host) {
        try {
            JsonNode link = new ObjectMapper().readTree(OverlayTestBed.run("ip", "-n", host.netns, "-j", "link", "show",
                    "dev", device)).path(0);
            boolean up = false;
            for (JsonNode flag : link.path("flags")) {
                up |= flag.asText().equals("UP");
            }
            return up && ("bb" + vni).equals(link.path("master").asText()) && floodDestinations(host).equals(othersOf(host));
        } catch (Exception e) {
            return false;
        }
    }

    private static String describe(OverlayTestBed.Host host) {
        try {
            return OverlayTestBed.run("ip", "-n", host.netns, "-d", "link", "show") + "\n"
                    + OverlayTestBed.run("bridge", "-n", host.netns, "fdb", "show") + "\n"
                    + OverlayTestBed.run("ip", "-n", host.netns, "neigh", "show", "nud", "permanent");
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static Set<String> floodDestinations(OverlayTestBed.Host host) throws Exception {
        String json = OverlayTestBed.run("bridge", "-n", host.netns, "-j", "fdb", "show", "dev", device);
        Set<String> dst = new HashSet<>();
        for (JsonNode entry : new ObjectMapper().readTree(json)) {
            if ("00:00:00:00:00:00".equals(entry.path("mac").asText()) && entry.has("dst")) {
                dst.add(entry.path("dst").asText());
            }
        }
        return dst;
    }

    private static int floodCount(OverlayTestBed.Host host) {
        try {
            return floodDestinations(host).size();
        } catch (Exception e) {
            return -1;
        }
    }

    private static Set<String> othersOf(OverlayTestBed.Host host) {
        Set<String> others = new HashSet<>();
        bed.hosts.stream().filter(h -> h != host).forEach(h -> others.add(h.underlayIp));
        return others;
    }

    /** Successful link operations so far on a host, by operation. */
    private static Map<String, Double> operations(OverlayTestBed.Host host) {
        Map<String, Double> ops = new TreeMap<>();
        for (String op : OPERATIONS) {
            ops.put(op, host.harness.metric("berth_link_operations_total", "operation=\"" + op + "\"",
                    "outcome=\"success\""));
        }
        return ops;
    }

    private static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> delta = new TreeMap<>();
        after.forEach((op, n) -> {
            double d = n - before.getOrDefault(op, 0.0);
            if (d != 0) {
                delta.put(op, d);
            }
        });
        return delta;
    }

    /**
     * Waits until the host's network controller has run no pass for 2 s: a repair whose own kernel events kept
     * asking for passes would never get there.
     */
    private static void awaitQuiet(OverlayTestBed.Host host) {
        double[] last = {-1};
        long[] since = {System.nanoTime()};
        Await.until(Duration.ofSeconds(30), "no network pass on " + host.harness.host + " for 2 s", () -> {
            double passes = host.harness.metric("berth_reconcile_total", "controller=\"network\"");
            if (passes != last[0]) {
                last[0] = passes;
                since[0] = System.nanoTime();
                return false;
            }
            return System.nanoTime() - since[0] >= Duration.ofSeconds(2).toNanos();
        }, () -> "passes so far: " + last[0]);
    }
}
