package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.Manifest;
import dev.berth.operator.StackYaml;
import dev.berth.operator.cache.AssignmentJson;
import dev.berth.operator.dns.TinyResolver;
import dev.berth.reconcilers.schedule.Assignment;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The data plane outlives the control plane, on three Docker hosts (namespaces, a dockerd each, one operator process
 * each INSIDE its host's namespace as on a real host, so each answers names on its gateway, and so one can be
 * SIGKILLed): a replica of a stack on a Berth Network runs on one host (called hb3 below, wherever the scheduler put
 * it), a kv-mode Route points at it, and clients on the other two fetch from it by overlay IP and by name. hb3's
 * operator is killed while its container runs: once its lease has expired hb3 is Unknown (the other hosts' probes
 * still reach it), so the others keep their FDB entries to it and keep resolving and fetching, the Route keeps its
 * server, and the replica stays put for far longer than {@code --failover-after}; a container on hb3 itself still
 * resolves the outside world's names (its DNS servers are the dead operator's gateway, then the host's resolver).
 * Then hb3's container stops and its underlay goes down: the probes fail, and after the grace its entries go (FDB and
 * names), it shows Down and the replica fails over.
 */
@RunsOnOwnHosts
class OutliveBedTest {
    /** A fresh JVM's first etcd calls and the first pulls of a loaded machine are slow: the first waits are long. */
    private static final Duration FIRST_WAIT = Duration.ofSeconds(180);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int HOST_TTL = 4;
    private static final int FAILOVER_AFTER = 5;
    /** Far beyond the test: an Unknown host never fails over here on its own. */
    private static final int FAILOVER_AFTER_UNKNOWN = 600;
    /** Well over --failover-after (and over the Reachability grace): the replica stays on the Unknown host. */
    private static final Duration HOLD = Duration.ofSeconds(6L * FAILOVER_AFTER);
    /**
     * How long one check of a name may retry: Docker's embedded DNS gives up on a slow gateway (a loaded machine) and
     * asks the next server, which knows no Berth names. A name that is really gone fails every try.
     */
    private static final Duration NAME_WINDOW = Duration.ofSeconds(20);
    private static final String OUTSIDE_IP = "192.0.2.81";
    private static final Pattern ADDRESS = Pattern.compile("(?m)^Address:\\s+(\\d+\\.\\d+\\.\\d+\\.\\d+)\\s*$");
    private static OverlayTestBed bed;
    /** The outside world's resolver, on the underlay bridge's root address, port 53: reachable from containers too. */
    private static TinyResolver outside;
    private static String network;
    private static int vni;

    @BeforeAll
    static void setUp() throws Exception {
        bed = new OverlayTestBed(3);
        OverlayTestBed.run("ip", "addr", "add", bed.rootIp() + "/24", "dev", bed.bridge);
        outside = new TinyResolver(new InetSocketAddress(bed.rootIp(), 53), Map.of("outside.test", OUTSIDE_IP), false);
        for (int i = 0; i < 3; i++) {
            OverlayTestBed.Host host = bed.hosts.get(i);
            bed.prepareOperator(host, "ol" + bed.id + "h" + (i + 1));
            // Inside the namespace (startInNetns adds --underlay-interface ul0 and --listen): the DNS responder is on.
            bed.startInNetns(host, List.of("--host-ttl", "" + HOST_TTL, "--resync", "5",
                    "--failover-after", "" + FAILOVER_AFTER, "--failover-after-unknown", "" + FAILOVER_AFTER_UNKNOWN,
                    "--max-backoff", "3", "--probe-interval", "1", "--traefik-root", bed.traefikRoot(),
                    "--dns-upstream", bed.rootIp()));
        }
        for (OverlayTestBed.Host host : bed.hosts) {
            Await.until(FIRST_WAIT, name(host) + "'s record in etcd", () -> bed.etcd.kv.get(bed.etcd.keys.host(name(host))).isPresent());
        }
        network = "ol" + bed.id;
        vni = 200000 + Integer.parseInt(bed.id, 16);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (bed != null) {
            for (OverlayTestBed.Host host : bed.hosts) {
                OverlayTestBed.run("ip", "-n", host.netns, "link", "set", "ul0", "up");
            }
            bed.close();
        }
        if (outside != null) {
            outside.close();
        }
    }

    private static String name(OverlayTestBed.Host host) {
        return host.harness.host;
    }

    @Test
    void anUnknownHostKeepsItsEntriesRouteServersAndReplicaUntilItsProbesFailToo() throws Exception {
        OverlayTestBed.Host first = bed.hosts.get(0);
        String app = "ol" + bed.id + "-app";
        String client = "ol" + bed.id + "-client";
        String route = "ol" + bed.id + "-rt";
        String page = "outlive-" + bed.id;

        first.harness.apply(Manifest.network(network, "vni: " + vni + "\nsubnet: 10." + (bed.underlayOctet - 50) + ".0.0/16"));
        // A client on every host; the replica goes wherever the scheduler puts it, and that host is the one lost.
        first.harness.apply(StackYaml.stack(client).global().networks(network).yaml());
        first.harness.apply(StackYaml.stack(app).replicas(1).serving(page).networks(network).yaml() + "---\n"
                + Manifest.route(route, "hosts: [" + route + ".example.test]\n"
                + "target: {stack: " + app + ", service: web, port: 8080, network: " + network + "}"));
        Await.until(FIRST_WAIT, app + " running on one host", () -> bed.hosts.stream()
                .mapToInt(h -> h.harness.running(app).size()).sum() == 1, () -> "assignment " + assignedHosts(app));
        OverlayTestBed.Host hb3 = bed.hosts.stream().filter(h -> h.harness.running(app).size() == 1).findFirst().orElseThrow();
        List<OverlayTestBed.Host> others = bed.hosts.stream().filter(h -> h != hb3).toList();
        OverlayTestBed.Host hb1 = others.get(0);
        OverlayTestBed.Host hb2 = others.get(1);
        assertEquals(List.of(name(hb3)), assignedHosts(app));
        String ip = overlayIp(hb3, app);
        String url = "http://" + ip + ":8080/";
        String server = "http://" + ip + ":8080";
        // The names a person would use: <service>.<stack>, and the replica's container name.
        String byName = "web." + app;
        String urlByName = "http://" + byName + ":8080/";
        String replicaName = hb3.harness.running(app).get(0).getNames()[0].substring(1);
        for (OverlayTestBed.Host from : List.of(hb1, hb2)) {
            Await.until(FIRST_WAIT, "a client on " + name(from) + " fetches " + url, () -> fetches(from, client, url, page));
            Await.until(WAIT, "a client on " + name(from) + " resolves " + byName + " to " + ip,
                    () -> resolves(from, client, byName).equals(Set.of(ip)), () -> lookup(from, client, byName).out());
            Await.until(WAIT, "a client on " + name(from) + " fetches " + urlByName, () -> fetches(from, client, urlByName, page));
            Await.until(WAIT, name(from) + "'s probes reach " + name(hb3), () -> probeState(from, hb3).equals("ok"),
                    () -> probeState(from, hb3));
        }
        Await.until(WAIT, "a client on " + name(hb1) + " resolves " + replicaName + " to " + ip,
                () -> resolves(hb1, client, replicaName).equals(Set.of(ip)), () -> lookup(hb1, client, replicaName).out());
        Await.until(WAIT, "the route's server is the replica on " + name(hb3), () -> routeServers(route).equals(Set.of(server)),
                () -> routeServers(route).toString());
        assertEquals("Ready", hostStatus(hb3));
        Await.until(WAIT, "a client running on " + name(hb3), () -> !hb3.harness.running(client).isEmpty());
        Container onHb3 = hb3.harness.running(client).get(0);
        String gateway = gateway(hb3);
        assertEquals(List.of(gateway, bed.rootIp()), List.of(hb3.harness.docker.inspectContainerCmd(onHb3.getId()).exec()
                .getHostConfig().getDns()), "a container on " + name(hb3) + " asks its operator's gateway, then the"
                + " host's resolver (--dns-upstream)");

        // Host 3's operator dies; its container keeps running.
        bed.killProcess(hb3);
        long killed = System.nanoTime();
        Await.until(WAIT, name(hb3) + "'s record gone (lease expired)",
                () -> bed.etcd.kv.get(bed.etcd.keys.host(name(hb3))).isEmpty());
        long gone = System.nanoTime();
        Await.until(WAIT, name(hb3) + " shown Unknown", () -> hostStatus(hb3).equals("Unknown"), () -> hostsTable());
        long end = gone + HOLD.toNanos();
        int rounds = 0;
        // At least one round, however long the waits above took.
        do {
            for (OverlayTestBed.Host from : List.of(hb1, hb2)) {
                assertTrue(fetches(from, client, url, page), "a client on " + name(from) + " still fetches " + url
                        + " from the Unknown host, " + seconds(gone) + " s after its record went");
                assertTrue(floodDestinations(from).contains(hb3.underlayIp), name(from) + " keeps its FDB entry to "
                        + name(hb3) + ": " + floodDestinations(from));
                assertName(from, client, byName, ip, gone);
                assertTrue(within(NAME_WINDOW, () -> fetches(from, client, urlByName, page)), "a client on " + name(from)
                        + " still fetches " + urlByName + " from the Unknown host, " + seconds(gone) + " s after its record went");
            }
            assertName(hb1, client, replicaName, ip, gone);
            assertTrue(routeServers(route).contains(server), "the route keeps the Unknown host's server: " + routeServers(route));
            assertEquals(List.of(name(hb3)), assignedHosts(app), "the replica stays on the Unknown host "
                    + seconds(gone) + " s after its record went (--failover-after " + FAILOVER_AFTER + " s)");
            assertEquals(1, hb3.harness.running(app).size(), "and keeps running there");
            assertEquals("Unknown", hostStatus(hb3), hostsTable());
            rounds++;
        } while (System.nanoTime() < end);
        System.out.printf("outlive: %s's operator killed at 0; record gone at %.1f s; Unknown, entries, names, route server"
                        + " and replica kept until %.1f s (%d checks, --failover-after %d s)%n", name(hb3),
                (gone - killed) / 1e9, seconds(killed), rounds, FAILOVER_AFTER);

        // On hb3 itself nothing answers on the gateway now, yet a container there still resolves the outside world.
        Lookup direct = lookup(hb3, client, "outside.test", gateway);
        assertTrue(direct.addresses().isEmpty(), "the dead operator's gateway answers nothing: " + direct.out());
        int asked = outside.queries();
        long lookupBegan = System.nanoTime();
        Lookup[] last = {direct};
        assertTrue(within(NAME_WINDOW, () -> {
            last[0] = lookup(hb3, client, "outside.test");
            return last[0].addresses().equals(Set.of(OUTSIDE_IP));
        }), "a container on " + name(hb3) + " resolves outside.test through the host's resolver while its operator is"
                + " dead: " + last[0].out());
        assertTrue(outside.queries() > asked, "the answer came from the host's resolver");
        System.out.printf("outlive: a container on %s resolved outside.test past the dead gateway in %.1f s%n", name(hb3),
                (System.nanoTime() - lookupBegan) / 1e9);

        // Now the host goes for real: its container stops and its underlay link goes down, so the probes fail.
        for (Container c : hb3.harness.running(app)) {
            hb3.harness.docker.stopContainerCmd(c.getId()).withTimeout(2).exec();
        }
        OverlayTestBed.run("ip", "-n", hb3.netns, "link", "set", "ul0", "down");
        long cut = System.nanoTime();
        for (OverlayTestBed.Host from : List.of(hb1, hb2)) {
            Await.until(WAIT, name(from) + "'s FDB entry to " + name(hb3) + " removed",
                    () -> !floodDestinations(from).contains(hb3.underlayIp), () -> floodDestinations(from).toString());
        }
        long entriesGone = System.nanoTime();
        Await.until(WAIT, name(hb3) + " shown Down", () -> hostStatus(hb3).equals("Down"), () -> hostsTable());
        Await.until(WAIT, "the replica failed over to " + name(hb1) + " or " + name(hb2), () -> {
            List<String> hosts = assignedHosts(app);
            return hosts.size() == 1 && !hosts.get(0).equals(name(hb3))
                    && hb1.harness.running(app).size() + hb2.harness.running(app).size() == 1;
        }, () -> "assignment " + assignedHosts(app));
        long movedAt = System.nanoTime();
        Await.until(WAIT, "the route drops the lost host's server", () -> !routeServers(route).contains(server)
                && routeServers(route).size() == 1, () -> routeServers(route).toString());
        OverlayTestBed.Host now = hb1.harness.running(app).isEmpty() ? hb2 : hb1;
        Await.until(WAIT, "the replica's new address on " + name(now), () -> !overlayIp(now, app).isEmpty());
        String moved = overlayIp(now, app);
        Await.until(WAIT, byName + " answers only the replica on " + name(now) + ", " + moved,
                () -> resolves(hb1, client, byName).equals(Set.of(moved)), () -> lookup(hb1, client, byName).out());
        System.out.printf("outlive: %s's container stopped and its underlay down at 0; FDB entries removed at %.1f s,"
                        + " replica running elsewhere at %.1f s (Reachability grace 20 s)%n", name(hb3),
                (entriesGone - cut) / 1e9, (movedAt - cut) / 1e9);
    }

    /** Asserts that a client on {@code from} resolves {@code name} to exactly {@code ip}, retrying a slow answer. */
    private static void assertName(OverlayTestBed.Host from, String stack, String name, String ip, long gone) {
        Lookup[] last = {new Lookup(Set.of(), "")};
        assertTrue(within(NAME_WINDOW, () -> {
            last[0] = lookup(from, stack, name);
            return last[0].addresses().equals(Set.of(ip));
        }), "a client on " + name(from) + " still resolves " + name + " to " + ip + " on the Unknown host, "
                + seconds(gone) + " s after its record went: " + last[0].out());
    }

    /**
     * Whether the condition holds at least once within {@code window} (polled): one answer lost to a loaded machine is
     * no failure, a name or path that is really gone fails every try.
     */
    private static boolean within(Duration window, BooleanSupplier condition) {
        long deadline = System.nanoTime() + window.toNanos();
        do {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        } while (System.nanoTime() < deadline);
        return false;
    }

    /** This host's gateway address on the Network: where its operator's DNS responder listens. */
    private static String gateway(OverlayTestBed.Host host) {
        return host.harness.docker.inspectNetworkCmd().withNetworkId(network).exec().getIpam().getConfig().get(0).getGateway();
    }

    /** What {@code nslookup -type=a NAME [SERVER]} prints in the stack's container on the host, and its A addresses. */
    private record Lookup(Set<String> addresses, String out) {
    }

    private static Lookup lookup(OverlayTestBed.Host host, String stack, String name) {
        return lookup(host, stack, name, null);
    }

    private static Lookup lookup(OverlayTestBed.Host host, String stack, String name, String server) {
        List<Container> running = host.harness.running(stack);
        if (running.isEmpty()) {
            return new Lookup(Set.of(), "no running container of " + stack + " on " + name(host));
        }
        List<String> command = new ArrayList<>(List.of("timeout", "5", "nslookup", "-type=a", name));
        if (server != null) {
            command.add(server);
        }
        try {
            Exec exec = exec(host.harness.docker, running.get(0).getId(), command.toArray(String[]::new));
            Set<String> addresses = new TreeSet<>();
            // The server's own "Address:" line carries a port (10.0.0.1:53): only the answers match.
            Matcher m = ADDRESS.matcher(exec.out());
            while (m.find()) {
                addresses.add(m.group(1));
            }
            return new Lookup(addresses, exec.out());
        } catch (Exception e) {
            return new Lookup(Set.of(), e.toString());
        }
    }

    private static Set<String> resolves(OverlayTestBed.Host host, String stack, String name) {
        return lookup(host, stack, name).addresses();
    }

    private static double seconds(long since) {
        return Math.round((System.nanoTime() - since) / 1e8) / 10.0;
    }

    private static List<String> assignedHosts(String stack) {
        return bed.etcd.kv.get(bed.etcd.keys.assignment(stack)).flatMap(v -> new AssignmentJson().read(v.value()))
                .map(a -> a.assignments().stream().map(Assignment::host).toList()).orElse(List.of());
    }

    private static String overlayIp(OverlayTestBed.Host host, String stack) {
        Container c = host.harness.containers(stack).get(0);
        return host.harness.docker.inspectContainerCmd(c.getId()).exec().getNetworkSettings().getNetworks().get(network)
                .getIpAddress();
    }

    /** One HTTP GET from the stack's container on {@code from}; busybox's {@code -T} crashes, so {@code timeout}. */
    private static boolean fetches(OverlayTestBed.Host from, String stack, String url, String page) {
        List<Container> running = from.harness.running(stack);
        if (running.isEmpty()) {
            return false;
        }
        try {
            Exec exec = exec(from.harness.docker, running.get(0).getId(), "timeout", "5", "wget", "-q", "-O", "-", url);
            return exec.exit() == 0 && exec.out().strip().equals(page);
        } catch (Exception e) {
            return false;
        }
    }

    private record Exec(long exit, String out) {
    }

    private static Exec exec(DockerClient docker, String container, String... command) throws InterruptedException {
        ExecCreateCmdResponse exec = docker.execCreateCmd(container).withCmd(command).withAttachStdout(true)
                .withAttachStderr(true).exec();
        StringBuilder out = new StringBuilder();
        docker.execStartCmd(exec.getId()).exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                synchronized (out) {
                    out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                }
            }
        }).awaitCompletion(20, TimeUnit.SECONDS);
        Long code = docker.inspectExecCmd(exec.getId()).exec().getExitCodeLong();
        synchronized (out) {
            return new Exec(code == null ? -1 : code, out.toString());
        }
    }

    /** The peers the host's VXLAN device floods to (its all-zero FDB entries). */
    private static Set<String> floodDestinations(OverlayTestBed.Host host) {
        Set<String> dst = new HashSet<>();
        try {
            String json = OverlayTestBed.run("bridge", "-n", host.netns, "-j", "fdb", "show", "dev", "bv" + vni);
            for (JsonNode entry : new ObjectMapper().readTree(json)) {
                if ("00:00:00:00:00:00".equals(entry.path("mac").asText()) && entry.has("dst")) {
                    dst.add(entry.path("dst").asText());
                }
            }
        } catch (Exception e) {
            // No device (yet): no destinations.
        }
        return dst;
    }

    private static Set<String> routeServers(String route) {
        String prefix = bed.traefikRoot() + "/http/services/berth-" + route + "/loadBalancer/servers/";
        Set<String> urls = new HashSet<>();
        bed.etcd.kv.list(prefix).values().stream().filter(v -> v.key().endsWith("/url")).forEach(v -> urls.add(v.value()));
        return urls;
    }

    /** What {@code from}'s stored probe report says of {@code to} on the Network ("" when it says nothing). */
    private static String probeState(OverlayTestBed.Host from, OverlayTestBed.Host to) {
        return bed.etcd.kv.get(bed.etcd.keys.probe(network, name(from))).map(v -> {
            try {
                return new ObjectMapper().readTree(v.value()).path("peers").path(name(to)).path("state").asText();
            } catch (Exception e) {
                return "";
            }
        }).orElse("");
    }

    private static String hostsTable() {
        CliRun run = bed.etcd.cli("get", "hosts");
        return run.out() + run.err();
    }

    /** The STATUS cell of {@code berth get hosts} for the host, as a person reads it. */
    private static String hostStatus(OverlayTestBed.Host host) {
        List<String> header = new ArrayList<>();
        for (String line : hostsTable().lines().toList()) {
            List<String> cells = List.of(line.trim().split("\\s+"));
            if (cells.get(0).equals("HOST")) {
                // "VXLAN ENDPOINTS" is one column of two words.
                header = new ArrayList<>(List.of(line.replace("VXLAN ENDPOINTS", "VXLAN_ENDPOINTS").trim().split("\\s+")));
            } else if (cells.get(0).equals(name(host)) && header.contains("STATUS")) {
                return Optional.of(header.indexOf("STATUS")).filter(i -> i < cells.size()).map(cells::get).orElse("");
            }
        }
        return "";
    }
}
