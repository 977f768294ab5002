package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.Manifest;
import dev.berth.operator.Operator;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code berth doctor} on three Docker hosts (namespaces, a dockerd each, operators in this JVM probing every second):
 * all ok on a healthy overlay; UDP 4789 from host 1 dropped on host 3 shows exactly that pair unreachable, both ways;
 * host 3's underlay MTU lowered shows the MTU problem to and from host 3, naming the MTU. Each fault is undone and
 * the doctor must see the overlay heal.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RunsOnOwnHosts
class DoctorBedTest {
    /** The first round needs the Network programmed everywhere and a fresh JVM's first etcd calls (slow under load). */
    private static final Duration FIRST_WAIT = Duration.ofSeconds(180);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static OverlayTestBed bed;
    private static String network;

    @BeforeAll
    static void setUp() throws Exception {
        bed = new OverlayTestBed(3);
        for (OverlayTestBed.Host host : bed.hosts) {
            host.harness = TestOperator.builder().etcd(bed.etcd).dockerHost(host.dockerd.host())
                    .underlay(new Operator.Underlay(Optional.of("ul0"), Optional.empty(), Optional.of(host.netns)))
                    .routes(bed.traefikRoot(), null).probeInterval(Duration.ofSeconds(1)).build();
            host.harness.start();
        }
        network = "dr" + bed.id;
        int vni = 100000 + Integer.parseInt(bed.id, 16);
        String manifests = Manifest.network(network, "vni: " + vni + "\nsubnet: 10." + (bed.underlayOctet - 50) + ".0.0/16")
                // A global stack on the Network: every host takes part.
                + "---\n" + StackYaml.stack("dr" + bed.id + "-web").global().networks(network).yaml();
        // A fresh JVM's first etcd calls can time out on a loaded machine; applying is idempotent.
        Await.until(FIRST_WAIT, "the Network and the stack applied", () -> {
            first().apply(manifests);
            return true;
        });
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (bed != null) {
            bed.close();
        }
    }

    private static TestOperator first() {
        return bed.hosts.get(0).harness;
    }

    private static String name(int index) {
        return bed.hosts.get(index).harness.host;
    }

    private static CliRun doctor() {
        return first().cli("doctor", "network", network);
    }

    /** The matrix: "from>to" -> cell, read off the doctor's output as a person reads it. */
    private static Map<String, String> cells(String out) {
        Map<String, String> cells = new TreeMap<>();
        List<String> columns = null;
        for (String line : out.lines().toList()) {
            if (line.startsWith("FROM \\ TO")) {
                columns = Arrays.asList(line.substring("FROM \\ TO".length()).trim().split("\\s+"));
            } else if (columns != null && !line.isBlank() && !line.startsWith(" ")) {
                String[] row = line.trim().split("\\s+");
                if (row.length != columns.size() + 1) {
                    break;
                }
                for (int i = 0; i < columns.size(); i++) {
                    if (!row[0].equals(columns.get(i))) {
                        cells.put(row[0] + ">" + columns.get(i), row[i + 1]);
                    }
                }
            }
        }
        return cells;
    }

    /** Every ordered pair of the three hosts ok, but those given. */
    private static Map<String, String> expected(Map<String, String> problems) {
        Map<String, String> all = new TreeMap<>();
        for (int from = 0; from < 3; from++) {
            for (int to = 0; to < 3; to++) {
                if (from != to) {
                    String pair = name(from) + ">" + name(to);
                    all.put(pair, problems.getOrDefault(pair, "ok"));
                }
            }
        }
        return all;
    }

    private static CliRun awaitMatrix(Duration wait, String what, Map<String, String> problems) {
        return awaitMatrix(wait, what, problems, List.of());
    }

    /** Waits for the matrix (and exit code) to show exactly {@code problems}, with every one of {@code hints} printed. */
    private static CliRun awaitMatrix(Duration wait, String what, Map<String, String> problems, List<String> hints) {
        Map<String, String> want = expected(problems);
        CliRun[] last = new CliRun[1];
        Await.until(wait, what, () -> {
            last[0] = doctor();
            return cells(last[0].out()).equals(want) && last[0].exit() == (problems.isEmpty() ? 0 : 1)
                    && hints.stream().allMatch(last[0].out()::contains);
        }, () -> last[0] == null ? "no run" : "exit " + last[0].exit() + "\n" + last[0].out() + last[0].err());
        return last[0];
    }

    @Test
    @Order(1)
    void aHealthyOverlayIsAllOk() {
        CliRun run = awaitMatrix(FIRST_WAIT, "doctor all ok on the three hosts", Map.of());
        assertTrue(run.out().contains("all ok"), run.out());
        // Without a Network named, every Network is checked: this bed's is the only one on its prefix.
        CliRun all = first().cli("doctor");
        assertEquals(0, all.exit(), all.out() + all.err());
        assertEquals(expected(Map.of()), cells(all.out()));
    }

    @Test
    @Order(2)
    void blockedUdpBetweenTwoHostsIsThatPairUnreachable() throws Exception {
        awaitMatrix(FIRST_WAIT, "doctor all ok before the fault", Map.of());
        OverlayTestBed.Host h1 = bed.hosts.get(0);
        OverlayTestBed.Host h3 = bed.hosts.get(2);
        List<String> rule = List.of("INPUT", "-p", "udp", "--dport", "4789", "-s", h1.underlayIp, "-j", "DROP");
        iptables(h3, "-A", rule);
        try {
            CliRun run = awaitMatrix(WAIT, "exactly hb1 <-> hb3 unreachable", Map.of(
                    name(0) + ">" + name(2), "unreachable", name(2) + ">" + name(0), "unreachable"),
                    List.of("  " + name(0) + " -> " + name(2) + " unreachable: UDP 4789 blocked between " + name(0)
                            + " (" + h1.underlayIp + ") and " + name(2) + " (" + h3.underlayIp + ")?"));
            assertEquals(2, run.out().lines().filter(l -> l.startsWith("  ")).count(), "one hint per problem cell:\n" + run.out());
        } finally {
            iptables(h3, "-D", rule);
        }
        awaitMatrix(WAIT, "doctor all ok once UDP passes again", Map.of());
    }

    @Test
    @Order(3)
    void aLowUnderlayMtuIsAnMtuProblemToAndFromThatHost() throws Exception {
        awaitMatrix(FIRST_WAIT, "doctor all ok before the fault", Map.of());
        OverlayTestBed.Host h3 = bed.hosts.get(2);
        OverlayTestBed.run("ip", "-n", h3.netns, "link", "set", "ul0", "mtu", "1400");
        try {
            Map<String, String> problems = new TreeMap<>();
            for (int other = 0; other < 2; other++) {
                problems.put(name(other) + ">" + name(2), "mtu");
                problems.put(name(2) + ">" + name(other), "mtu");
            }
            // hb3 reports its underlay MTU in the round after the one that found the fault, at the latest.
            CliRun run = awaitMatrix(WAIT, "mtu to and from hb3, hinting at hb3's 1400", problems,
                    List.of("  " + name(0) + " -> " + name(2) + " mtu: Network MTU 1450 needs 1500-byte underlay packets; "
                                    + name(2) + "'s underlay link carries 1400",
                            "  " + name(2) + " -> " + name(1) + " mtu: Network MTU 1450 needs 1500-byte underlay packets; "
                                    + name(2) + "'s underlay link carries 1400"));
            assertEquals(4, run.out().lines().filter(l -> l.startsWith("  ")).count(), "one hint per problem cell:\n" + run.out());
        } finally {
            OverlayTestBed.run("ip", "-n", h3.netns, "link", "set", "ul0", "mtu", "1500");
        }
        awaitMatrix(WAIT, "doctor all ok once the MTU is back", Map.of());
    }

    private static void iptables(OverlayTestBed.Host host, String action, List<String> rule) throws Exception {
        List<String> command = new ArrayList<>(List.of("iptables", action));
        command.addAll(rule);
        OverlayTestBed.inNetns(host.netns, command.toArray(String[]::new));
    }
}
