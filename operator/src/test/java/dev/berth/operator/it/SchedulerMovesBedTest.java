package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Container;
import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.Manifest;
import dev.berth.operator.Operator;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import dev.berth.operator.cache.AssignmentJson;
import dev.berth.operator.store.StoreException;
import dev.berth.reconcilers.schedule.Assignment;
import dev.berth.reconcilers.schedule.StackAssignment;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Replicas moved between hosts on the three-host bed (a dockerd per host, one etcd): a drain that keeps every
 * replica serving, a cordon that takes no new replica, a rebalance after a host joined, and a failover: false
 * replica that stays on its lost host until the host is back. Every command goes through the berth CLI, as a person
 * would type it; every check is what that person would look at (Docker on each host, `berth get`, etcd keys).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RunsOnOwnHosts
class SchedulerMovesBedTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Short, so the failover: false test sees the host counted down within seconds. */
    private static final Duration FAILOVER_AFTER = Duration.ofSeconds(5);
    private static final String HEALTHCHECK = """
            healthcheck:
              test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1"]
              interval: 1s
              retries: 2
            """;
    private static OverlayTestBed bed;
    private static String network;
    private static final AssignmentJson JSON = new AssignmentJson();
    /** Stacks and Routes a test made ("Kind/name"), removed after it even when it failed half-way. */
    private static final List<String> made = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        bed = new OverlayTestBed(3);
        for (OverlayTestBed.Host host : bed.hosts) {
            start(host);
        }
        int vni = 100000 + Integer.parseInt(bed.id, 16);
        network = "mv" + bed.id;
        apply(Manifest.network(network, "vni: " + vni + "\nsubnet: 10." + (bed.underlayOctet - 50) + ".0.0/16"));
        Await.until(WAIT, "three hosts Ready", () -> {
            CliRun hosts = cli("get", "hosts");
            return bed.hosts.stream().allMatch(h -> stateOf(hosts.out(), h).equals("Ready"));
        }, () -> cli("get", "hosts").out());
    }

    /**
     * Leaves the bed as each test found it, whatever failed: every operator running, no cordon, none of the test's
     * stacks or routes, so one test's failure does not become the next one's.
     */
    @AfterEach
    void restoreTheBed() throws IOException {
        for (OverlayTestBed.Host h : bed.hosts) {
            if (h.harness.operator() == null) {
                h.harness.start();
            }
        }
        for (OverlayTestBed.Host h : bed.hosts) {
            if (bed.etcd.kv.get(bed.etcd.keys.cordon(name(h))).isPresent()) {
                cli("uncordon", "host", name(h));
            }
        }
        for (String object : made) {
            String kind = object.substring(0, object.indexOf('/'));
            String objectName = object.substring(object.indexOf('/') + 1);
            delete(kind, objectName);
            if (kind.equals("Stack")) {
                for (OverlayTestBed.Host h : bed.hosts) {
                    Await.until(WAIT, objectName + " gone from " + name(h), () -> containers(h, objectName).isEmpty(),
                            () -> everywhere(objectName));
                }
            }
        }
        made.clear();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (bed != null) {
            bed.close();
        }
    }

    /** Like the bed's startOperator, with a short --failover-after; the harness is kept, so a restart is the same host. */
    private static void start(OverlayTestBed.Host host) throws IOException {
        host.harness = TestOperator.builder().etcd(bed.etcd).dockerHost(host.dockerd.host())
                .underlay(new Operator.Underlay(Optional.of("ul0"), Optional.empty(), Optional.of(host.netns)))
                .routes(bed.traefikRoot(), null).failoverAfter(FAILOVER_AFTER).build();
        host.harness.start();
    }

    private static TestOperator first() {
        return bed.hosts.get(0).harness;
    }

    /** Like `berth apply`; retried while the shared etcd is too slow to answer (a busy test machine). */
    private static void apply(String yaml) {
        for (String doc : yaml.split("(?m)^---$")) {
            java.util.regex.Matcher kind = java.util.regex.Pattern.compile("(?m)^kind: *(\\w+)").matcher(doc);
            java.util.regex.Matcher objectName = java.util.regex.Pattern.compile("(?m)^  name: *(\\S+)").matcher(doc);
            if (kind.find() && objectName.find() && !kind.group(1).equals("Network")
                    && !made.contains(kind.group(1) + "/" + objectName.group(1))) {
                made.add(kind.group(1) + "/" + objectName.group(1));
            }
        }
        Await.until(WAIT, "manifest stored", () -> {
            try {
                first().apply(yaml);
                return true;
            } catch (StoreException e) {
                return false;
            }
        });
    }

    private static void delete(String stack) {
        delete("Stack", stack);
    }

    private static void delete(String kind, String name) {
        Await.until(WAIT, kind + " " + name + " deleted", () -> {
            try {
                first().delete(kind, name);
                return true;
            } catch (StoreException e) {
                return false;
            }
        });
    }

    private static CliRun cli(String... args) {
        return bed.etcd.cli(args);
    }

    private static String name(OverlayTestBed.Host host) {
        return host.harness.host;
    }

    /** The STATUS column of a host's row in `berth get hosts`. */
    private static String stateOf(String table, OverlayTestBed.Host host) {
        for (String line : table.lines().toList()) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length > 4 && cols[0].equals(name(host))) {
                return cols[4];
            }
        }
        return "(no row for " + name(host) + ")";
    }

    private static Optional<StackAssignment> assignment(String stack) {
        return bed.etcd.kv.get(bed.etcd.keys.assignment(stack)).flatMap(v -> JSON.read(v.value()));
    }

    private static long assignedTo(String stack, OverlayTestBed.Host host) {
        return assignment(stack).map(a -> a.assignments().stream().filter(x -> x.host().equals(name(host))).count())
                .orElse(0L);
    }

    private static List<Container> containers(OverlayTestBed.Host host, String stack) {
        return host.harness.containers(stack);
    }

    private static long runningHealthy(OverlayTestBed.Host host, String stack, boolean checked) {
        return containers(host, stack).stream().filter(c -> "running".equals(c.getState()))
                .filter(c -> !checked || c.getStatus().contains("(healthy)")).count();
    }

    private static String everywhere(String stack) {
        StringBuilder s = new StringBuilder();
        for (OverlayTestBed.Host h : bed.hosts) {
            s.append(name(h)).append('=').append(containers(h, stack).stream()
                    .map(c -> c.getNames()[0] + ":" + c.getState() + ":" + c.getStatus()).toList()).append(' ');
        }
        return s + " assignment=" + assignment(stack).orElse(null);
    }

    /** Each host runs {@code counts[i]} containers of the stack, all running (and healthy when checked). */
    private static void awaitSpread(String stack, boolean checked, int... counts) {
        Await.until(WAIT, stack + " running " + java.util.Arrays.toString(counts) + " over the three hosts", () -> {
            for (int i = 0; i < counts.length; i++) {
                OverlayTestBed.Host h = bed.hosts.get(i);
                if (containers(h, stack).size() != counts[i] || runningHealthy(h, stack, checked) != counts[i]) {
                    return false;
                }
            }
            return true;
        }, () -> everywhere(stack));
    }

    private static void deleteStack(String stack) {
        delete(stack);
        for (OverlayTestBed.Host h : bed.hosts) {
            Await.until(WAIT, stack + " gone from " + name(h), () -> containers(h, stack).isEmpty(), () -> everywhere(stack));
        }
    }

    private static void uncordon(OverlayTestBed.Host host) {
        CliRun uncordon = cli("uncordon", "host", name(host));
        assertEquals(0, uncordon.exit(), uncordon.out() + uncordon.err());
        Await.until(WAIT, name(host) + " Ready again", () -> stateOf(cli("get", "hosts").out(), host).equals("Ready"),
                () -> cli("get", "hosts").out());
    }

    /** The route's server URLs as the route leader wrote them for Traefik. */
    private static List<String> servers(String route) {
        List<String> urls = new ArrayList<>();
        bed.etcd.kv.list(bed.traefikRoot() + "/http/services/berth-" + route + "/loadBalancer/servers/").values()
                .stream().filter(v -> v.key().endsWith("/url")).forEach(v -> urls.add(v.value()));
        return urls;
    }

    /**
     * Drain with a health-checked service behind a Route over the overlay: the drained host's replica is started
     * (healthy) on another host before its old container goes, so three healthy replicas run throughout, and a client
     * that reads the route's servers before each request, like Traefik, sees no failure.
     */
    @Test
    @Order(1)
    void aDrainMovesTheReplicaStartFirstAndKeepsEveryRequestServed() throws Exception {
        String stack = first().name("dr");
        String route = first().instance + "-drr";
        applyServedStack(stack, route, 3);
        awaitSpread(stack, true, 1, 1, 1);
        Await.until(WAIT, "three servers in the route", () -> servers(route).size() == 3, () -> servers(route).toString());

        OverlayTestBed.Host drained = bed.hosts.get(0);
        DrainRun run = drainUnderTraffic(stack, route, drained, bed.hosts.get(2), 3);
        assertDrained(run, stack, drained);
        assertTrue(run.minimum() >= 3, "replicas running and healthy never below 3 during the drain: minimum "
                + run.minimum() + ", maximum " + run.maximum());
        assertTrue(run.maximum() <= 4, "one move at a time: at most one extra replica, maximum " + run.maximum());
        assertServed(run);

        uncordon(drained);
        delete("Route", route);
        deleteStack(stack);
    }

    /**
     * Drain of a service's only replica, health-checked behind a Route: it is started (healthy) on another host before
     * the drained host's copy stops serving, so it never has zero running and healthy copies, and a client reading
     * the route's servers before each request sees no failure while it moves.
     */
    @Test
    @Order(5)
    void aDrainMovesAnOnlyReplicaWithoutAFailedRequest() throws Exception {
        String stack = first().name("d1");
        String route = first().instance + "-d1r";
        applyServedStack(stack, route, 1);
        Await.until(WAIT, stack + " running healthy once, one server in the route",
                () -> bed.hosts.stream().mapToLong(h -> runningHealthy(h, stack, true)).sum() == 1
                        && bed.hosts.stream().mapToInt(h -> containers(h, stack).size()).sum() == 1
                        && servers(route).size() == 1, () -> servers(route) + " " + everywhere(stack));
        OverlayTestBed.Host drained = bed.hosts.stream().filter(h -> runningHealthy(h, stack, true) == 1).findFirst()
                .orElseThrow();
        OverlayTestBed.Host client = bed.hosts.stream().filter(h -> h != drained).findFirst().orElseThrow();
        String replica = containers(drained, stack).get(0).getNames()[0].substring(1);

        DrainRun run = drainUnderTraffic(stack, route, drained, client, 1);
        assertDrained(run, stack, drained);
        assertTrue(run.minimum() >= 1, "the only replica never had zero running and healthy copies: minimum "
                + run.minimum() + ", maximum " + run.maximum());
        assertTrue(run.maximum() <= 2, "at most the old and the new copy at once, maximum " + run.maximum());
        List<String> moved = bed.hosts.stream().filter(h -> h != drained).flatMap(h -> containers(h, stack).stream())
                .map(c -> c.getNames()[0].substring(1)).toList();
        assertEquals(List.of(replica), moved, "the same replica runs on another host: " + everywhere(stack));
        assertServed(run);
        System.out.printf("drain of an only replica %s off %s: %d requests ok, 0 failed; healthy copies between %d and"
                + " %d; route servers: %s%n", replica, name(drained), run.ok(), run.minimum(), run.maximum(),
                run.serverChanges());

        uncordon(drained);
        delete("Route", route);
        deleteStack(stack);
    }

    /** A health-checked httpd answering its hostname on the bed's network, and a Route to it. */
    private static void applyServedStack(String stack, String route, int replicas) {
        apply(StackYaml.stack(stack).shell("mkdir -p /tmp/w && hostname > /tmp/w/index.html"
                        + " && exec httpd -f -p 8080 -h /tmp/w").replicas(replicas)
                .with("networks: [" + network + "]").with(HEALTHCHECK).yaml()
                + "---\n" + Manifest.route(route, "hosts: [" + route + ".example.test]\n"
                + "target: {stack: " + stack + ", service: web, port: 8080, network: " + network + "}"));
    }

    /** What a drain under traffic saw: the CLI's run, running+healthy copies (fewest, most), and the requests. */
    private record DrainRun(CliRun drain, int minimum, int maximum, int ok, List<String> failures,
                            List<String> serverChanges, List<Throwable> watcherErrors) {
    }

    /**
     * `berth drain host` while a client on {@code client} sends requests through the route's servers (read before each
     * request, like Traefik) and a watcher counts the stack's running and healthy containers every 100 ms; returns
     * once the drained host runs none of it and the route lists the {@code replicas} moved ones.
     */
    private static DrainRun drainUnderTraffic(String stack, String route, OverlayTestBed.Host drained,
                                              OverlayTestBed.Host client, int replicas) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger minimum = new AtomicInteger(Integer.MAX_VALUE);
        AtomicInteger maximum = new AtomicInteger(0);
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> watcherErrors = Collections.synchronizedList(new ArrayList<>());
        List<String> serverChanges = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicReference<List<String>> lastServers = new java.util.concurrent.atomic.AtomicReference<>(List.of());
        List<OverlayTestBed.Host> drainedFirst = new ArrayList<>(List.of(drained));
        bed.hosts.stream().filter(h -> h != drained).forEach(drainedFirst::add);
        Thread watcher = new Thread(() -> {
            try {
                while (running.get()) {
                    // The drained host first: its old container goes only once the new one is healthy elsewhere, so
                    // reading it before the others can never miss both.
                    int count = 0;
                    for (OverlayTestBed.Host h : drainedFirst) {
                        count += (int) runningHealthy(h, stack, true);
                    }
                    minimum.accumulateAndGet(count, Math::min);
                    maximum.accumulateAndGet(count, Math::max);
                    Thread.sleep(100);
                }
            } catch (Throwable e) {
                watcherErrors.add(e);
            }
        });
        Thread traffic = new Thread(() -> {
            while (running.get()) {
                List<String> urls = servers(route);
                if (!urls.equals(lastServers.get())) {
                    serverChanges.add(Instant.now() + " " + urls);
                    lastServers.set(urls);
                }
                if (urls.isEmpty()) {
                    failures.add(Instant.now() + ": no server in the route");
                    continue;
                }
                String url = urls.get(ThreadLocalRandom.current().nextInt(urls.size()));
                Instant sent = Instant.now();
                try {
                    OverlayTestBed.inNetns(client.netns, "timeout", "5", "busybox", "wget", "-q", "-O", "-", url);
                    ok.incrementAndGet();
                } catch (IOException e) {
                    failures.add("sent " + sent + ", failed " + Instant.now() + ": " + url + " -> " + e.getMessage().strip());
                }
            }
        });
        watcher.start();
        traffic.start();
        CliRun drain;
        try {
            drain = cli("drain", "host", name(drained), "--timeout", "3m");
            // The old container goes after the assignment lets it go: what a person sees on that host shortly after.
            Await.until(WAIT, "no container of " + stack + " left on " + name(drained),
                    () -> containers(drained, stack).isEmpty(), () -> everywhere(stack));
            Await.until(WAIT, "the route lists the other hosts' " + replicas + " replicas",
                    () -> servers(route).size() == replicas && bed.hosts.stream().filter(h -> h != drained)
                            .mapToLong(h -> runningHealthy(h, stack, true)).sum() == replicas,
                    () -> servers(route) + " " + everywhere(stack));
            Thread.sleep(1000);
        } finally {
            running.set(false);
            watcher.join();
            traffic.join();
        }
        return new DrainRun(drain, minimum.get(), maximum.get(), ok.get(), List.copyOf(failures),
                List.copyOf(serverChanges), List.copyOf(watcherErrors));
    }

    /** The drain command succeeded and the host shows Drained with nothing of the stack assigned. */
    private static void assertDrained(DrainRun run, String stack, OverlayTestBed.Host drained) {
        assertEquals(0, run.drain().exit(), run.drain().out() + run.drain().err());
        assertTrue(run.drain().out().contains("drained"), run.drain().out());
        assertEquals("Drained", stateOf(cli("get", "hosts").out(), drained), cli("get", "hosts").out());
        assertEquals(0, assignedTo(stack, drained), everywhere(stack));
        assertEquals(List.of(), run.watcherErrors());
    }

    private static void assertServed(DrainRun run) {
        assertEquals(List.of(), run.failures(), "no failed request through the route's servers (" + run.ok()
                + " ok); the servers changed: " + run.serverChanges());
        assertTrue(run.ok() > 10, "enough requests to mean something: " + run.ok());
    }

    /** A cordoned host keeps what it runs and takes none of the replicas a scale-up adds. */
    @Test
    @Order(2)
    void aCordonedHostGetsNoNewReplica() {
        String stack = first().name("co");
        apply(StackYaml.stack(stack).serving("co").replicas(3).yaml());
        awaitSpread(stack, false, 1, 1, 1);
        OverlayTestBed.Host cordoned = bed.hosts.get(1);
        CliRun cordon = cli("cordon", "host", name(cordoned));
        assertEquals(0, cordon.exit(), cordon.out() + cordon.err());
        Await.until(WAIT, name(cordoned) + " Cordoned", () -> stateOf(cli("get", "hosts").out(), cordoned).equals("Cordoned"),
                () -> cli("get", "hosts").out());

        String kept = containers(cordoned, stack).get(0).getId();

        apply(StackYaml.stack(stack).serving("co").replicas(5).yaml());
        Await.until(WAIT, "five replicas assigned", () -> assignment(stack).map(a -> a.assignments().size() == 5).orElse(false),
                () -> everywhere(stack));
        awaitSpread(stack, false, 2, 1, 2);
        assertEquals(1, assignedTo(stack, cordoned), "only the replica it already ran: " + everywhere(stack));
        assertEquals(kept, containers(cordoned, stack).get(0).getId(), "its replica kept running: " + everywhere(stack));
        uncordon(cordoned);
        deleteStack(stack);
    }

    /**
     * A host that joins takes nothing by itself; `berth rebalance stack` moves replicas to it one at a time, and the
     * request goes once the stack is even.
     */
    @Test
    @Order(3)
    void aJoinedHostTakesReplicasOnlyWhenARebalanceIsAsked() throws Exception {
        String stack = first().name("rb");
        OverlayTestBed.Host joining = bed.hosts.get(2);
        // Out of scheduling while the stack is placed, as if it had not joined yet.
        assertEquals(0, cli("cordon", "host", name(joining)).exit());
        apply(StackYaml.stack(stack).serving("rb").replicas(6).yaml());
        awaitSpread(stack, false, 3, 3, 0);
        uncordon(joining);

        StackAssignment before = assignment(stack).orElseThrow();
        // Nothing to wait for when nothing happens: three resyncs (2s each) give the scheduler every chance to move.
        Instant quietUntil = Instant.now().plusSeconds(6);
        while (Instant.now().isBefore(quietUntil)) {
            assertTrue(containers(joining, stack).isEmpty(), "a joined host takes nothing by itself: " + everywhere(stack));
            Thread.sleep(200);
        }
        assertEquals(before.assignments(), assignment(stack).orElseThrow().assignments(), "nothing moved");

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger mostHandovers = new AtomicInteger();
        Set<dev.berth.reconcilers.schedule.Handover> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<Throwable> watcherErrors = Collections.synchronizedList(new ArrayList<>());
        Thread watcher = new Thread(() -> {
            try {
                while (running.get()) {
                    assignment(stack).ifPresent(a -> {
                        mostHandovers.accumulateAndGet(a.handovers().size(), Math::max);
                        seen.addAll(a.handovers());
                    });
                    Thread.sleep(100);
                }
            } catch (Throwable e) {
                watcherErrors.add(e);
            }
        });
        watcher.start();
        String rebalanceKey = bed.etcd.keys.rebalance(stack);
        try {
            CliRun rebalance = cli("rebalance", "stack", stack);
            assertEquals(0, rebalance.exit(), rebalance.out() + rebalance.err());
            awaitSpread(stack, false, 2, 2, 2);
            Await.until(WAIT, "the rebalance request removed once even", () -> bed.etcd.kv.get(rebalanceKey).isEmpty(),
                    () -> everywhere(stack));
        } finally {
            running.set(false);
            watcher.join();
        }
        assertEquals(List.of(), watcherErrors);
        assertEquals(1, mostHandovers.get(), "one replica moved at a time");
        assertEquals(2, seen.size(), "two replicas handed over, each on its own: " + seen);
        assertTrue(seen.stream().allMatch(h -> h.to().equals(name(joining))), "each to the joined host: " + seen);
        StackAssignment after = assignment(stack).orElseThrow();
        assertEquals(List.of(), after.handovers());
        assertEquals(6, after.assignments().size());
        Set<Integer> movedReplicas = new HashSet<>();
        for (Assignment a : after.assignments()) {
            if (a.host().equals(name(joining))) {
                movedReplicas.add(a.replica());
            }
        }
        assertEquals(2, movedReplicas.size(), after.toString());
        deleteStack(stack);
    }

    /**
     * A failover: false replica with a named volume stays assigned to its host while the host is lost, listed as
     * unavailable and shown Degraded/Unavailable, and runs there again when the host's operator is back.
     */
    @Test
    @Order(4)
    void aFailoverFalseReplicaWaitsForItsHost() throws Exception {
        String stack = first().name("ff");
        apply(StackYaml.stack(stack).shell("mkdir -p /data/w && hostname > /data/w/index.html"
                        + " && exec httpd -f -p 8080 -h /data/w").replicas(1)
                .with("failover: false\nvolumes: [{type: volume, source: " + stack + "-data, target: /data}]").yaml());
        Await.until(WAIT, stack + " assigned and running", () -> assignment(stack).map(a -> a.assignments().size() == 1)
                .orElse(false) && bed.hosts.stream().mapToLong(h -> runningHealthy(h, stack, false)).sum() == 1,
                () -> everywhere(stack));
        String hostName = assignment(stack).orElseThrow().assignments().get(0).host();
        OverlayTestBed.Host lost = bed.hosts.stream().filter(h -> name(h).equals(hostName)).findFirst().orElseThrow();
        Assignment replica = new Assignment("web", 1, hostName);

        // The host lost: its operator gone (its lease revoked, so its record goes now), its containers stopped and its
        // underlay down (while the overlay reaches it, it is Unknown and waits --failover-after-unknown).
        Instant lostAt = Instant.now();
        lost.harness.stopOperator();
        for (Container c : containers(lost, stack)) {
            lost.harness.docker.stopContainerCmd(c.getId()).withTimeout(2).exec();
        }
        OverlayTestBed.run("ip", "-n", lost.netns, "link", "set", "ul0", "down");
        Await.until(WAIT, "the replica listed unavailable on " + hostName, () -> assignment(stack)
                        .map(a -> a.unavailable().contains(replica)).orElse(false), () -> everywhere(stack));
        assertTrue(Duration.between(lostAt, Instant.now()).compareTo(FAILOVER_AFTER.minusSeconds(1)) >= 0,
                "unavailable only once --failover-after passed: after "
                + Duration.between(lostAt, Instant.now()).toMillis() + " ms, " + assignment(stack).orElse(null));
        StackAssignment a = assignment(stack).orElseThrow();
        assertEquals(List.of(replica), a.assignments(), "still assigned to its host: " + a);
        Await.until(WAIT, "get stacks shows it Degraded, Unavailable", () -> {
            String out = cli("get", "stacks", stack, "-o", "wide").out();
            return out.lines().anyMatch(l -> l.startsWith(stack + " ") && l.contains("Degraded") && l.contains("Unavailable"));
        }, () -> cli("get", "stacks", stack, "-o", "wide").out());
        assertTrue(cli("get", "stacks").out().lines().anyMatch(l -> l.startsWith(stack + " ") && l.contains("Degraded")),
                cli("get", "stacks").out());
        // Nothing started elsewhere meanwhile.
        for (OverlayTestBed.Host h : bed.hosts) {
            if (h != lost) {
                assertTrue(containers(h, stack).isEmpty(), "no copy on " + name(h) + ": " + everywhere(stack));
            }
        }

        OverlayTestBed.run("ip", "-n", lost.netns, "link", "set", "ul0", "up");
        lost.harness.start();
        Await.until(WAIT, "the replica runs again on " + hostName + ", no longer unavailable",
                () -> runningHealthy(lost, stack, false) == 1 && assignment(stack).map(x -> x.unavailable().isEmpty()
                        && x.assignments().equals(List.of(replica))).orElse(false), () -> everywhere(stack));
        for (OverlayTestBed.Host h : bed.hosts) {
            if (h != lost) {
                assertTrue(containers(h, stack).isEmpty(), "no copy on " + name(h) + ": " + everywhere(stack));
            }
        }
        Await.until(WAIT, name(lost) + " Ready again", () -> stateOf(cli("get", "hosts").out(), lost).equals("Ready"),
                () -> cli("get", "hosts").out());
        deleteStack(stack);
    }
}
