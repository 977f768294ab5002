package dev.berth.operator.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.dockerjava.api.model.Container;
import dev.berth.operator.Await;
import dev.berth.operator.Manifest;
import dev.berth.operator.StackYaml;
import dev.berth.operator.cache.AssignmentJson;
import dev.berth.operator.it.ReliabilityBed;
import dev.berth.operator.it.RunsOnOwnHosts;
import dev.berth.reconcilers.schedule.Assignment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Network partitions on the three-host bed (a namespace, a dockerd and an operator process inside the namespace per
 * host; etcd reached through a relay on the underlay). One host's underlay link goes down for longer than the
 * failover time, so it loses its peers AND etcd, then comes back. While it is cut off the other two run its replicas
 * and its own operator removes nothing (it cannot read etcd); after it returns there are exactly {@code replicas} per
 * service in the cluster (its now-surplus copies removed once it reads etcd again), and FDB entries and names are
 * right both ways. CI runs one partition; {@code -Dberth.reliability.partitions=N} runs N (a different host each time).
 */
@RunsOnOwnHosts
class PartitionBedTest {
    private static final Duration FIRST_WAIT = Duration.ofSeconds(180);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int REPLICAS = 3;
    /**
     * The default lease TTL: shorter ones expire without any fault on a loaded test machine (seven beds on two cores
     * lost 8 s leases), and a flapping host is no partition.
     */
    private static final int HOST_TTL = 15;
    private static final int FAILOVER_AFTER = 5;
    private static final int RESYNC = 5;
    /** How long the cut host is kept cut after its replicas run elsewhere: two of its resyncs, each a chance to remove. */
    private static final Duration HOLD = Duration.ofSeconds(2L * RESYNC);
    private static final int PARTITIONS = Integer.getInteger("berth.reliability.partitions", 1);
    private static ReliabilityBed bed;
    private static PartitionBedChecks checks;
    private static String network;
    private static String app;
    private static String client;

    @BeforeAll
    static void setUp() throws Exception {
        bed = new ReliabilityBed(3);
        String upstream = bed.rootIp();
        for (int i = 0; i < bed.size(); i++) {
            bed.prepare(i, "pb" + bed.id() + "h" + (i + 1));
            bed.start(i, List.of("--host-ttl", "" + HOST_TTL, "--resync", "" + RESYNC,
                    "--failover-after", "" + FAILOVER_AFTER, "--failover-after-unknown", "" + FAILOVER_AFTER,
                    "--max-backoff", "3", "--probe-interval", "1", "--traefik-root", bed.traefikRoot(),
                    "--dns-upstream", upstream));
        }
        for (int i = 0; i < bed.size(); i++) {
            int host = i;
            Await.until(FIRST_WAIT, name(host) + "'s record in etcd",
                    () -> bed.etcd().kv.get(bed.etcd().keys.host(name(host))).isPresent());
        }
        network = "pb" + bed.id();
        int vni = bed.vni(300000);
        checks = new PartitionBedChecks(bed, network, vni);
        app = "pb" + bed.id() + "-app";
        client = "pb" + bed.id() + "-cl";
        bed.harness(0).apply(Manifest.network(network, "vni: " + vni + "\nsubnet: " + bed.subnet()));
        // A client on every host asks names and fetches pages; the replicated app is what moves.
        bed.harness(0).apply(StackYaml.stack(client).global().serving("client").networks(network).yaml());
        bed.harness(0).apply(StackYaml.stack(app).replicas(REPLICAS).serving("app").networks(network).yaml());
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (bed != null) {
            for (int i = 0; i < bed.size(); i++) {
                ReliabilityBed.run("ip", "-n", bed.netns(i), "link", "set", "ul0", "up");
            }
            bed.close();
        }
    }

    /** What one partition did. */
    private record Outcome(int moved, int removedWhileCut, int surplusAfterHeal, boolean namesAndEntriesBothWays) {
    }

    @Test
    void aCutOffHostsReplicasRunElsewhereItRemovesNothingWhileCutAndItsSurplusGoesOnceItReadsEtcdAgain()
            throws Exception {
        List<Outcome> outcomes = new ArrayList<>();
        int failures = 0;
        AssertionError first = null;
        try {
            try {
                awaitSettled(FIRST_WAIT);
            } catch (AssertionError e) {
                failures++;
                throw e;
            }
            for (int p = 0; p < PARTITIONS; p++) {
                try {
                    outcomes.add(partition(mostLoaded()));
                } catch (AssertionError e) {
                    failures++;
                    first = first == null ? e : first;
                    // The cut host is healed (partition's finally); let the bed settle for the next run.
                    awaitSettled(WAIT);
                }
            }
        } finally {
            int moved = outcomes.stream().mapToInt(Outcome::moved).sum();
            int removed = outcomes.stream().mapToInt(Outcome::removedWhileCut).sum();
            int surplus = outcomes.stream().mapToInt(Outcome::surplusAfterHeal).sum();
            long ok = outcomes.stream().filter(Outcome::namesAndEntriesBothWays).count();
            Figures.ofRun().record(new Figure("partition (bed)", PARTITIONS, failures, "partitions " + PARTITIONS
                    + " / replicas moved " + moved + " / removed while partitioned " + removed + " / surplus after heal "
                    + surplus + " / FDB+DNS both ways ok " + ok + " of " + PARTITIONS));
        }
        if (first != null) {
            throw first;
        }
        assertEquals(0, outcomes.stream().mapToInt(Outcome::removedWhileCut).sum(), "removed while partitioned");
        assertEquals(0, outcomes.stream().mapToInt(Outcome::surplusAfterHeal).sum(), "surplus after heal");
    }

    /**
     * Cuts host {@code cut}'s underlay link, waits until the others run all replicas (and their FDB entries and names
     * left it), holds the cut two resyncs longer, heals it and waits until the cluster is right again. Every check
     * while it is cut also looks at the cut host's containers: each one it had keeps running under the same id.
     */
    private Outcome partition(int cut) throws java.io.IOException {
        String cutName = name(cut);
        List<Integer> others = IntStream.range(0, bed.size()).filter(i -> i != cut).boxed().toList();
        Set<String> ids = ids(cut);
        List<Assignment> before = assigned();
        Set<String> removed = new TreeSet<>();
        Runnable untouched = () -> {
            Set<String> running = bed.harness(cut).running(app).stream().map(Container::getId).collect(Collectors.toSet());
            bed.harness(cut).running(client).forEach(c -> running.add(c.getId()));
            ids.stream().filter(id -> !running.contains(id)).forEach(removed::add);
        };
        long began = System.nanoTime();
        ReliabilityBed.run("ip", "-n", bed.netns(cut), "link", "set", "ul0", "down");
        try {
            Await.until(WAIT, "the " + REPLICAS + " replicas assigned to and running on the hosts other than " + cutName,
                    () -> {
                        untouched.run();
                        return assigned().stream().noneMatch(a -> a.host().equals(cutName))
                                && others.stream().mapToInt(i -> bed.harness(i).running(app).size()).sum() == REPLICAS
                                && others.stream().mapToInt(i -> bed.harness(i).containers(app).size()).sum() == REPLICAS;
                    }, () -> spread() + " assigned " + assigned());
            double movedAt = seconds(began);
            for (int from : others) {
                Await.until(WAIT, name(from) + " no longer floods to the cut host and answers only reachable replicas",
                        () -> {
                            untouched.run();
                            return !checks.floodDestinations(from).contains(bed.underlayIp(cut))
                                    && checks.resolves(from, client, "web." + app).equals(appIps(others));
                        }, () -> checks.floodDestinations(from) + " " + checks.resolves(from, client, "web." + app)
                                + " want " + appIps(others));
            }
            long hold = System.nanoTime() + HOLD.toNanos();
            Await.until(HOLD.plusSeconds(30), "the cut held " + HOLD.toSeconds() + " s longer", () -> {
                untouched.run();
                return System.nanoTime() > hold;
            });
            System.out.printf("partition: %s cut at 0; its replicas running elsewhere at %.1f s; removed while cut: %s%n",
                    cutName, movedAt, removed);
        } finally {
            ReliabilityBed.run("ip", "-n", bed.netns(cut), "link", "set", "ul0", "up");
        }
        long healed = System.nanoTime();
        int moved = (int) before.stream().filter(a -> a.host().equals(cutName)).count();
        int[] surplus = {0};
        try {
            Await.until(WAIT, "exactly " + REPLICAS + " replicas in the cluster after " + cutName + " came back", () -> {
                int all = IntStream.range(0, bed.size()).map(i -> bed.harness(i).containers(app).size()).sum();
                surplus[0] = Math.max(0, all - REPLICAS);
                return all == REPLICAS && runningTotal() == REPLICAS;
            }, this::spread);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + " (surplus " + surplus[0] + ")", e);
        }
        double settled = seconds(healed);
        boolean bothWays = entriesAndNamesBothWays(cut, others);
        System.out.printf("partition: %s healed at 0; exactly %d replicas at %.1f s; FDB and names both ways at %.1f s%n",
                cutName, REPLICAS, settled, seconds(healed));
        return new Outcome(moved, removed.size(), surplus[0], bothWays);
    }

    /**
     * FDB entries and names right both ways after a heal: every host floods to every other, the healed host resolves
     * the app's replicas (those that moved away from it among them) and fetches from one by its name, and the others
     * resolve the healed host's client again.
     */
    private boolean entriesAndNamesBothWays(int healed, List<Integer> others) {
        List<Integer> all = IntStream.range(0, bed.size()).boxed().toList();
        for (int from : all) {
            Set<String> peers = all.stream().filter(i -> i != from).map(bed::underlayIp).collect(Collectors.toSet());
            Await.until(WAIT, name(from) + " floods to every peer", () -> checks.floodDestinations(from).containsAll(peers),
                    () -> checks.floodDestinations(from).toString());
        }
        Await.until(WAIT, "the healed " + name(healed) + " resolves web." + app + " to the replicas that run",
                () -> checks.resolves(healed, client, "web." + app).equals(appIps(all)),
                () -> checks.resolves(healed, client, "web." + app) + " want " + appIps(all));
        Map.Entry<String, String> replica = replicaIps(others).entrySet().iterator().next();
        Await.until(WAIT, "the healed host fetches from replica " + replica.getKey() + " by its name",
                () -> checks.fetches(healed, client, "http://" + replica.getKey() + ":8080/", "app"));
        Set<String> clients = clientIps();
        for (int from : others) {
            Await.until(WAIT, name(from) + " resolves web." + client + " to every client, the healed host's too",
                    () -> checks.resolves(from, client, "web." + client).equals(clients),
                    () -> checks.resolves(from, client, "web." + client) + " want " + clients);
        }
        return true;
    }

    /** Every host runs the client, the app runs {@link #REPLICAS} times, names and FDB entries are complete. */
    private void awaitSettled(Duration wait) {
        Await.until(wait, "client on every host, " + REPLICAS + " replicas of the app",
                () -> IntStream.range(0, bed.size()).allMatch(i -> bed.harness(i).running(client).size() == 1)
                        && runningTotal() == REPLICAS
                        && IntStream.range(0, bed.size()).map(i -> bed.harness(i).containers(app).size()).sum() == REPLICAS,
                this::spread);
        entriesAndNamesBothWays(0, List.of(1, 2));
    }

    /** The host running the most replicas (the first of equals): cutting it moves the most. */
    private int mostLoaded() {
        int most = 0;
        for (int i = 1; i < bed.size(); i++) {
            if (bed.harness(i).running(app).size() > bed.harness(most).running(app).size()) {
                most = i;
            }
        }
        return most;
    }

    private static String name(int host) {
        return bed.harness(host).host;
    }

    /** Ids of the app's and the client's containers on the host. */
    private static Set<String> ids(int host) {
        Set<String> ids = new TreeSet<>();
        bed.harness(host).containers(app).forEach(c -> ids.add(c.getId()));
        bed.harness(host).containers(client).forEach(c -> ids.add(c.getId()));
        return ids;
    }

    private static int runningTotal() {
        return IntStream.range(0, bed.size()).map(i -> bed.harness(i).running(app).size()).sum();
    }

    private static List<Assignment> assigned() {
        return bed.etcd().kv.get(bed.etcd().keys.assignment(app)).flatMap(v -> new AssignmentJson().read(v.value()))
                .map(a -> a.assignments()).orElse(List.of());
    }

    /** Replica container names to their overlay addresses, on the given hosts. */
    private static Map<String, String> replicaIps(List<Integer> hosts) {
        Map<String, String> ips = new TreeMap<>();
        for (int host : hosts) {
            for (Container c : bed.harness(host).running(app)) {
                checks.overlayIp(host, c.getId()).ifPresent(ip -> ips.put(c.getNames()[0].substring(1), ip));
            }
        }
        return ips;
    }

    private static Set<String> appIps(List<Integer> hosts) {
        return new TreeSet<>(replicaIps(hosts).values());
    }

    private static Set<String> clientIps() {
        Set<String> ips = new TreeSet<>();
        for (int host = 0; host < bed.size(); host++) {
            for (Container c : bed.harness(host).running(client)) {
                checks.overlayIp(host, c.getId()).ifPresent(ips::add);
            }
        }
        return ips;
    }

    private String spread() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < bed.size(); i++) {
            s.append(name(i)).append('=').append(bed.harness(i).containers(app).stream()
                    .map(c -> c.getNames()[0].substring(1) + ":" + c.getState()).toList()).append(' ');
        }
        return s.toString();
    }

    private static double seconds(long since) {
        return Math.round((System.nanoTime() - since) / 1e8) / 10.0;
    }
}
