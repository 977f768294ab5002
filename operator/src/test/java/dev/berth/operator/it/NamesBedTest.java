package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.Manifest;
import dev.berth.operator.StackYaml;
import dev.berth.operator.dns.TinyResolver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Names across hosts on the three-host bed, with each operator INSIDE its host's namespace as on a real host (its DNS
 * responder binds port 53 on that host's gateway of each Network). Two Berth Networks: {@code net} (every test's
 * services and the client on hb1) and {@code other} (a container on hb1 that must see none of net's names). The
 * outside world is a resolver this JVM runs on the underlay bridge's root address, answering {@code outside.test}.
 * Every lookup is what a person would type in a container: {@code nslookup} (busybox) and {@code wget} by name.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RunsOnOwnHosts
class NamesBedTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    /** The bound: a change is in the answers within 2 s of the replica starting or stopping. */
    private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(2);
    private static final String OUTSIDE_IP = "192.0.2.80";
    private static final Pattern ADDRESS = Pattern.compile("(?m)^Address:\\s+(\\d+\\.\\d+\\.\\d+\\.\\d+)\\s*$");
    private static OverlayTestBed bed;
    private static TinyResolver outside;
    private static String net;
    private static String other;
    private static String client;
    private static String isolated;

    @BeforeAll
    static void setUp() throws Exception {
        bed = new OverlayTestBed(3);
        for (int i = 0; i < 3; i++) {
            bed.prepareOperator(bed.hosts.get(i), "nb" + bed.id + "h" + (i + 1));
        }
        // The outside world's resolver listens on the bridge's root address, which operators in the namespaces reach.
        OverlayTestBed.run("ip", "addr", "add", bed.rootIp() + "/24", "dev", bed.bridge);
        outside = new TinyResolver(new InetSocketAddress(bed.rootIp(), 0), Map.of("outside.test", OUTSIDE_IP), false);
        for (OverlayTestBed.Host host : bed.hosts) {
            start(host, outside.address());
        }
        for (OverlayTestBed.Host host : bed.hosts) {
            Await.until(WAIT, name(host) + " registered (first etcd calls of a fresh JVM are slow on a busy machine)",
                    () -> bed.etcd.kv.get(bed.etcd.keys.host(name(host))).isPresent());
        }
        int octet = bed.underlayOctet - 50;
        net = "nn" + bed.id;
        other = "no" + bed.id;
        apply(Manifest.network(net, "vni: " + (100000 + Integer.parseInt(bed.id, 16)) + "\nsubnet: 10." + octet + ".0.0/16"));
        apply(Manifest.network(other, "vni: " + (200000 + Integer.parseInt(bed.id, 16)) + "\nsubnet: 10." + (octet + 100)
                + ".0.0/16"));
        client = stack("client");
        isolated = stack("iso");
        // Services named other than the tests' "web", so that a short "web" is no name of the asker's own stack.
        apply(StackYaml.stack(client).service("asker").global().onHosts(List.of(name(hb1())))
                .with("networks: [" + net + "]").yaml());
        apply(StackYaml.stack(isolated).service("asker").global().onHosts(List.of(name(hb1())))
                .with("networks: [" + other + "]").yaml());
        hb1().harness.awaitRunning(client, 1);
        hb1().harness.awaitRunning(isolated, 1);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (bed != null) {
            bed.close();
        }
        if (outside != null) {
            outside.close();
        }
    }

    /** An operator inside the host's namespace, forwarding the outside world's names to {@code upstream}. */
    private static void start(OverlayTestBed.Host host, InetSocketAddress upstream) throws Exception {
        bed.startInNetns(host, List.of("--host-ttl", "5", "--resync", "5", "--max-backoff", "3",
                "--dns-upstream", upstream.getAddress().getHostAddress() + ":" + upstream.getPort()));
    }

    private static OverlayTestBed.Host hb1() {
        return bed.hosts.get(0);
    }

    private static OverlayTestBed.Host hb2() {
        return bed.hosts.get(1);
    }

    private static OverlayTestBed.Host hb3() {
        return bed.hosts.get(2);
    }

    private static String name(OverlayTestBed.Host host) {
        return host.harness.host;
    }

    private static String stack(String suffix) {
        return "nb" + bed.id + suffix;
    }

    private static CliRun cli(String... args) {
        return bed.etcd.cli(args);
    }

    /** Deletes a test's stack and waits until no host has a container of it (so the bed's close races no removal). */
    private static void deleteAndAwaitGone(String stack) {
        hb1().harness.delete(stack);
        for (OverlayTestBed.Host host : bed.hosts) {
            Await.until(WAIT, stack + " gone from " + name(host), () -> host.harness.containers(stack).isEmpty());
        }
    }

    private static void apply(String yaml) {
        hb1().harness.apply(yaml);
    }

    /** The one running container of a stack on a host. */
    private static Optional<Container> runningOn(OverlayTestBed.Host host, String stack) {
        return host.harness.running(stack).stream().findFirst();
    }

    private static String overlayIp(OverlayTestBed.Host host, Container container, String network) {
        var networks = host.harness.docker.inspectContainerCmd(container.getId()).exec().getNetworkSettings().getNetworks();
        return networks.containsKey(network) ? networks.get(network).getIpAddress() : "";
    }

    /** The host's gateway address of a Network: where its operator's DNS responder listens. */
    private static String gateway(OverlayTestBed.Host host, String network) {
        return host.harness.docker.inspectNetworkCmd().withNetworkId(network).exec().getIpam().getConfig().get(0).getGateway();
    }

    private record Exec(long exit, String out) {
    }

    private static Exec exec(OverlayTestBed.Host host, Container container, String... command) throws Exception {
        DockerClient docker = host.harness.docker;
        ExecCreateCmdResponse exec = docker.execCreateCmd(container.getId()).withCmd(command)
                .withAttachStdout(true).withAttachStderr(true).exec();
        StringBuilder out = new StringBuilder();
        docker.execStartCmd(exec.getId()).exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                synchronized (out) {
                    out.append(new String(frame.getPayload()));
                }
            }
        }).awaitCompletion(30, TimeUnit.SECONDS);
        Long code = docker.inspectExecCmd(exec.getId()).exec().getExitCodeLong();
        synchronized (out) {
            return new Exec(code == null ? -1 : code, out.toString());
        }
    }

    /** What {@code nslookup -type=a NAME [SERVER]} prints in the container, and its A addresses. */
    private record Lookup(Set<String> addresses, String out) {
        boolean nxdomain() {
            return out.contains("NXDOMAIN");
        }
    }

    private static Lookup lookup(OverlayTestBed.Host host, Container container, String name, String server) throws Exception {
        List<String> command = new ArrayList<>(List.of("timeout", "5", "nslookup", "-type=a", name));
        if (server != null) {
            command.add(server);
        }
        Exec exec = exec(host, container, command.toArray(String[]::new));
        Set<String> addresses = new TreeSet<>();
        // The server's own "Address:" line carries a port (10.0.0.1:53): only the answers match.
        Matcher m = ADDRESS.matcher(exec.out());
        while (m.find()) {
            addresses.add(m.group(1));
        }
        return new Lookup(addresses, exec.out());
    }

    /** A lookup from the client container on hb1, through its own resolver (Docker's, forwarding to the gateway). */
    private static Lookup fromClient(String name) throws Exception {
        return lookup(hb1(), runningOn(hb1(), client).orElseThrow(), name, null);
    }

    /** Looks up from the client until the answer is exactly {@code expected}; returns when the successful lookup began. */
    private static Instant awaitAnswer(String name, Set<String> expected) {
        Instant[] began = new Instant[1];
        String[] last = {""};
        Await.until(WAIT, name + " answers " + expected + " from hb1", () -> {
            try {
                Instant start = Instant.now();
                Lookup lookup = fromClient(name);
                last[0] = lookup.out();
                if (lookup.addresses().equals(expected)) {
                    began[0] = start;
                    return true;
                }
                return false;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, () -> last[0]);
        return began[0];
    }

    private static Instant startedAt(OverlayTestBed.Host host, Container container) {
        return Instant.parse(host.harness.docker.inspectContainerCmd(container.getId()).exec().getState().getStartedAt());
    }

    /**
     * Runs without the endpoint publisher and the containers' DNS setting too: each operator binds its gateway, answers
     * there for the Network (a Berth-looking name nobody runs is NXDOMAIN) and forwards the outside world's names.
     */
    @Test
    @Order(1)
    void eachHostsGatewayAnswersAndForwardsOutsideNames() throws Exception {
        Container c = runningOn(hb1(), client).orElseThrow();
        String gw = gateway(hb1(), net);
        Await.until(WAIT, "hb1's responder on " + gw + " forwards outside.test", () -> {
            try {
                return lookup(hb1(), c, "outside.test", gw).addresses().equals(Set.of(OUTSIDE_IP));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, () -> {
            try {
                return lookup(hb1(), c, "outside.test", gw).out();
            } catch (Exception e) {
                return e.toString();
            }
        });
        Lookup nobody = lookup(hb1(), c, "nosuchservice", gw);
        assertTrue(nobody.nxdomain(), "a single label nobody runs is NXDOMAIN, not forwarded: " + nobody.out());
        assertTrue(outside.queries() >= 1, "the outside name went to the upstream resolver");
    }

    /**
     * The first case: a service on hb2 only, found and fetched by {@code <service>.<stack>} from hb1; hb2
     * drained, the replica runs on hb3 and the name answers with its new address within 2 s of its start.
     */
    @Test
    @Order(2)
    void aServiceIsFoundAcrossHostsAndFollowsItsReplicaWhenTheHostIsDrained() throws Exception {
        String s = stack("svc");
        // On hb2 or hb3; hb3 cordoned first, so the scheduler places it on hb2.
        assertEquals(0, cli("cordon", "host", name(hb3())).exit());
        apply(StackYaml.stack(s).placement("{hosts: [" + name(hb2()) + ", " + name(hb3()) + "]}").replicas(1)
                .serving("names-across-hosts").with("networks: [" + net + "]").yaml());
        Await.until(WAIT, s + " running on hb2", () -> runningOn(hb2(), s).isPresent()
                && !overlayIp(hb2(), runningOn(hb2(), s).get(), net).isEmpty());
        String onHb2 = overlayIp(hb2(), runningOn(hb2(), s).orElseThrow(), net);
        awaitAnswer("web." + s, Set.of(onHb2));
        Exec fetched = exec(hb1(), runningOn(hb1(), client).orElseThrow(), "timeout", "5", "wget", "-q", "-O", "-",
                "http://web." + s + ":8080/");
        assertEquals("names-across-hosts", fetched.out().strip(), "fetched by name across hosts: " + fetched);
        assertEquals(0, cli("uncordon", "host", name(hb3())).exit());

        CompletableFuture<CliRun> drain = CompletableFuture.supplyAsync(() -> cli("drain", "host", name(hb2()),
                "--timeout", "3m"));
        try {
            Await.until(WAIT, s + " running on hb3", () -> runningOn(hb3(), s).isPresent()
                    && !overlayIp(hb3(), runningOn(hb3(), s).get(), net).isEmpty());
            Container moved = runningOn(hb3(), s).orElseThrow();
            String onHb3 = overlayIp(hb3(), moved, net);
            Instant started = startedAt(hb3(), moved);
            // While both run the answer may hold both; the new address must be in it within 2 s.
            Instant[] seen = new Instant[1];
            Await.until(WAIT, "web." + s + " answers with hb3's " + onHb3, () -> {
                try {
                    Instant begun = Instant.now();
                    if (fromClient("web." + s).addresses().contains(onHb3)) {
                        seen[0] = begun;
                        return true;
                    }
                    return false;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Duration visible = Duration.between(started, seen[0]);
            System.out.printf("names: hb3's replica %s started %s, in the answer of a lookup begun %d ms later%n", onHb3,
                    started, visible.toMillis());
            assertTrue(visible.compareTo(VISIBLE_WITHIN) <= 0, "hb3's replica answered by a lookup begun "
                    + visible.toMillis() + " ms after it started (bound " + VISIBLE_WITHIN.toMillis() + " ms)");
            CliRun drained = drain.get(4, TimeUnit.MINUTES);
            assertEquals(0, drained.exit(), drained.out() + drained.err());
            awaitAnswer("web." + s, Set.of(onHb3));
            Exec again = exec(hb1(), runningOn(hb1(), client).orElseThrow(), "timeout", "5", "wget", "-q", "-O", "-",
                    "http://web." + s + ":8080/");
            assertEquals("names-across-hosts", again.out().strip(), "fetched by name after the move: " + again);
        } finally {
            drain.get(4, TimeUnit.MINUTES);
            cli("uncordon", "host", name(hb2()));
            deleteAndAwaitGone(s);
        }
    }

    /** Two replicas on two hosts: both addresses; one of them stopped (scaled away): gone within 2 s. */
    @Test
    @Order(3)
    void twoReplicasOnTwoHostsAreBothAnsweredAndAStoppedOneLeavesTheAnswer() throws Exception {
        String s = stack("two");
        apply(StackYaml.stack(s).placement("{hosts: [" + name(hb2()) + ", " + name(hb3()) + "], maxPerHost: 1}")
                .replicas(2).with("networks: [" + net + "]").yaml());
        Await.until(WAIT, s + " running on hb2 and hb3", () -> runningOn(hb2(), s).isPresent()
                && runningOn(hb3(), s).isPresent() && !overlayIp(hb2(), runningOn(hb2(), s).get(), net).isEmpty()
                && !overlayIp(hb3(), runningOn(hb3(), s).get(), net).isEmpty());
        String a = overlayIp(hb2(), runningOn(hb2(), s).orElseThrow(), net);
        String b = overlayIp(hb3(), runningOn(hb3(), s).orElseThrow(), net);
        awaitAnswer("web." + s, Set.of(a, b));
        // The client's own stack has no "web": the short name is NXDOMAIN for it; the replica's name answers.
        assertTrue(fromClient("web").nxdomain(), "a service name alone is the asker's own stack's");
        Container onHb2 = runningOn(hb2(), s).orElseThrow();
        String nameOnHb2 = onHb2.getNames()[0].substring(1);
        String nameOnHb3 = runningOn(hb3(), s).orElseThrow().getNames()[0].substring(1);
        assertEquals(Set.of(a), fromClient(nameOnHb2).addresses(), "a replica by its container name");

        apply(StackYaml.stack(s).placement("{hosts: [" + name(hb2()) + ", " + name(hb3()) + "], maxPerHost: 1}")
                .replicas(1).with("networks: [" + net + "]").yaml());
        Await.until(WAIT, "one replica of " + s + " stopped", () -> runningOn(hb2(), s).isEmpty() != runningOn(hb3(), s).isEmpty());
        Instant stopped = Instant.now();
        boolean hb2Stopped = runningOn(hb2(), s).isEmpty();
        String remaining = hb2Stopped ? b : a;
        Instant seen = awaitAnswer("web." + s, Set.of(remaining));
        Duration gone = Duration.between(stopped, seen);
        System.out.printf("names: a replica seen stopped at %s, out of the answer of a lookup begun %d ms later%n", stopped,
                gone.toMillis());
        assertTrue(gone.compareTo(VISIBLE_WITHIN) <= 0, "the stopped replica left the answer by a lookup begun "
                + gone.toMillis() + " ms after it was seen stopped");
        String stoppedName = hb2Stopped ? nameOnHb2 : nameOnHb3;
        assertTrue(fromClient(stoppedName).nxdomain(), "its container name is gone too");
        deleteAndAwaitGone(s);
    }

    /**
     * Isolation: a container on another Berth Network gets NXDOMAIN for net's names (through its own resolver and
     * asking its gateway on its Network directly); the outside world's names still resolve for both.
     */
    @Test
    @Order(4)
    void anotherNetworksContainerGetsNxdomainAndOutsideNamesStillResolve() throws Exception {
        String s = stack("seen");
        apply(StackYaml.stack(s).global().onHosts(List.of(name(hb2()))).with("networks: [" + net + "]").yaml());
        Await.until(WAIT, s + " running on hb2", () -> runningOn(hb2(), s).isPresent()
                && !overlayIp(hb2(), runningOn(hb2(), s).get(), net).isEmpty());
        String ip = overlayIp(hb2(), runningOn(hb2(), s).orElseThrow(), net);
        awaitAnswer("web." + s, Set.of(ip));
        Container iso = runningOn(hb1(), isolated).orElseThrow();
        Lookup own = lookup(hb1(), iso, "web." + s, null);
        assertTrue(own.nxdomain() && own.addresses().isEmpty(), "NXDOMAIN through its own resolver: " + own.out());
        Lookup direct = lookup(hb1(), iso, "web." + s, gateway(hb1(), other));
        assertTrue(direct.nxdomain() && direct.addresses().isEmpty(), "NXDOMAIN from its Network's gateway: " + direct.out());
        Lookup byContainer = lookup(hb1(), iso, s + "-web-1", null);
        assertTrue(byContainer.nxdomain(), "a container name on another Network is NXDOMAIN too: " + byContainer.out());
        assertEquals(Set.of(OUTSIDE_IP), lookup(hb1(), iso, "outside.test", null).addresses(), "outside names resolve");
        assertEquals(Set.of(OUTSIDE_IP), fromClient("outside.test").addresses(), "for the client too");
        deleteAndAwaitGone(s);
    }

    /**
     * {@code <service>} alone is the asker's own stack's service, with the replicas of its own host and of the others
     * (Docker's alias would give the local ones only): a stack with web and asker on hb1 and hb2.
     */
    @Test
    @Order(5)
    void aServiceNameAloneAnswersTheOwnStacksReplicasOnEveryHost() throws Exception {
        String s = stack("own");
        apply(StackYaml.stack(s).global().onHosts(List.of(name(hb1()), name(hb2()))).service("web")
                .with("networks: [" + net + "]").service("asker").with("networks: [" + net + "]").yaml());
        Await.until(WAIT, s + " running on hb1 and hb2, two containers each", () ->
                hb1().harness.running(s).size() == 2 && hb2().harness.running(s).size() == 2);
        Set<String> webs = new TreeSet<>();
        for (OverlayTestBed.Host host : List.of(hb1(), hb2())) {
            Container web = host.harness.running(s).stream().filter(c -> c.getNames()[0].contains("-web-")).findFirst()
                    .orElseThrow();
            Await.until(WAIT, "web's overlay address on " + name(host), () -> !overlayIp(host, web, net).isEmpty());
            webs.add(overlayIp(host, web, net));
        }
        Container asker = hb1().harness.running(s).stream().filter(c -> c.getNames()[0].contains("-asker-")).findFirst()
                .orElseThrow();
        String[] last = {""};
        Await.until(WAIT, "\"web\" from " + s + "'s asker on hb1 answers both hosts' replicas " + webs, () -> {
            try {
                Lookup lookup = lookup(hb1(), asker, "web", null);
                last[0] = lookup.out();
                return lookup.addresses().equals(webs);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, () -> last[0]);
        deleteAndAwaitGone(s);
    }

    /**
     * Issue 19: a service's alias answers like its name across hosts. web (alias www) runs on hb2 only, the stack's
     * asker on hb1: "www" from the asker is web's address on hb2 (Docker's own alias would know hb1's containers only).
     */
    @Test
    @Order(6)
    void anAliasAnswersLikeTheServiceNameAcrossHosts() throws Exception {
        String s = stack("alias");
        apply(StackYaml.stack(s).service("web").with("networks: [" + net + "]\naliases: [www]\nplacement: {hosts: ["
                + name(hb2()) + "]}").service("asker").with("networks: [" + net + "]\nplacement: {hosts: [" + name(hb1())
                + "]}").yaml());
        Await.until(WAIT, s + "'s web on hb2 and asker on hb1", () -> runningOn(hb2(), s).isPresent()
                && runningOn(hb1(), s).isPresent() && !overlayIp(hb2(), runningOn(hb2(), s).get(), net).isEmpty());
        String web = overlayIp(hb2(), runningOn(hb2(), s).orElseThrow(), net);
        Container asker = runningOn(hb1(), s).orElseThrow();
        String[] last = {""};
        Await.until(WAIT, "\"www\" from " + s + "'s asker on hb1 answers web's " + web + " on hb2", () -> {
            try {
                Lookup lookup = lookup(hb1(), asker, "www", null);
                last[0] = lookup.out();
                return lookup.addresses().equals(Set.of(web));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, () -> last[0]);
        assertEquals(Set.of(web), fromClient("www." + s).addresses(), "www.<stack> from another stack");
        deleteAndAwaitGone(s);
    }
}
