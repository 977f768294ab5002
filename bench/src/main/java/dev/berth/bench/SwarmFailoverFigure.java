package dev.berth.bench;

import static dev.berth.bench.BenchSupport.await;
import static dev.berth.bench.BenchSupport.fmt;
import static dev.berth.bench.BenchSupport.ms;

import dev.berth.crds.Kinds;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.ResourceStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Failover, Berth and Swarm on the same three-host bed (issue 21): a service of 3 replicas; one host that runs one
 * and is neither Berth's scheduler leader nor Swarm's manager dies (SIGKILL of everything in its namespace — dockerd,
 * containerd, shims, Berth's operator — and of its containers) → its replicas started on the other hosts, from
 * their Docker events. Twice: with each one's defaults, and with the same detection time for both.
 */
final class SwarmFailoverFigure extends Figure {
    /** Detection settings: Berth's lease TTL and failover-after, and Swarm's dispatcher heartbeat (0: its default). */
    record Detection(String name, int ttl, int failoverAfter, int heartbeat) {
        String berth() {
            return "--host-ttl " + ttl + " --failover-after " + failoverAfter;
        }

        String swarm() {
            return "--dispatcher-heartbeat " + (heartbeat == 0 ? 5 : heartbeat) + " s (down after 3 missed: "
                    + 3 * (heartbeat == 0 ? 5 : heartbeat) + " s)";
        }
    }

    // Swarm marks a node down after 3 heartbeat periods without one (swarmkit's grace multiplier); Berth after the
    // lease TTL plus failover-after. 6 s both ways is the comparable setting.
    static final List<Detection> SETTINGS = List.of(new Detection("defaults", 15, 30, 0),
            new Detection("same detection 6 s", 3, 3, 2));

    SwarmFailoverFigure(BenchRun bench) {
        super(bench);
    }

    @Override
    void run() throws Exception {
        try (HostBed bed = new HostBed(bench, "f").start(3)) {
            for (int k = 0; k < SETTINGS.size(); k++) {
                Detection d = SETTINGS.get(k);
                List<Double> berth = berth(bed, d, k);
                List<Double> swarm = swarm(bed, d, k);
                rows.add(new Row("swarm-failover " + d.name() + ": host killed → its replicas running on the others",
                        new Stats(berth), new Stats(swarm), "Swarm", k == 0 ? Double.NaN : 1.0, " ms",
                        "Berth " + d.berth() + "; Swarm " + d.swarm()));
            }
            notes.add("swarm-failover: 3 hosts, a 3-replica service (a new one each run); the killed host runs a replica and is"
                    + " neither Berth's scheduler leader nor Swarm's manager; everything in its namespace and its containers"
                    + " are SIGKILLed at once (a crash of the processes, not of the machine: the kernel closes their sockets, so"
                    + " Swarm's manager and etcd see the sessions end); it comes back between runs");
        }
    }

    private List<Double> berth(HostBed bed, Detection d, int k) throws Exception {
        String prefix = newPrefix("f" + k);
        KeyLayout keys = new KeyLayout(prefix);
        ResourceStore store = store(prefix);
        List<OperatorProcess> ops = new ArrayList<>();
        String[] opts = {"--host-ttl", String.valueOf(d.ttl()), "--failover-after", String.valueOf(d.failoverAfter())};
        for (int i = 0; i < bed.hosts.size(); i++) {
            ops.add(bed.operator(i, prefix, 30, opts));
        }
        List<Double> out = new ArrayList<>();
        try {
            for (int r = 0; r < runs; r++) {
                String stack = "fo" + k + "r" + r;
                apply(store, """
                        apiVersion: berth.dev/v1
                        kind: Stack
                        metadata:
                          name: %s
                        spec:
                          services:
                            - name: web
                              image: %s
                              replicas: 3
                              command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
                              init: true
                        ---
                        """.formatted(stack, image));
                String mine = stack + "-web-";
                await(Duration.ofSeconds(180), "3 replicas of " + stack, () -> bed.running(n -> n.startsWith(mine)) == 3, 300);
                int v = berthVictim(bed, ops, keys, stack);
                NsDockerd victim = bed.hosts.get(v);
                Set<String> moving = new HashSet<>();
                victim.client.listContainersCmd().exec().forEach(c -> moving.add(c.getNames()[0].substring(1)));
                moving.removeIf(n -> !n.startsWith(mine));
                List<NsDockerd> survivors = bed.hosts.stream().filter(h -> h != victim).toList();
                try (HostStarts starts = new HostStarts(survivors, moving::contains)) {
                    long t0 = victim.crash();
                    long end = starts.await(moving.size(), Duration.ofSeconds(240));
                    out.add(ms(end - t0));
                    System.out.printf("swarm-failover %s, Berth run %d: %s of %s running elsewhere after %s ms%n", d.name(), r,
                            moving, bed.hostName(v), fmt(ms(end - t0)));
                }
                // The host comes back, without what it ran (Berth placed that elsewhere), for the next run.
                victim.restart();
                victim.removeContainers();
                ops.set(v, bed.operator(v, prefix, 30, opts));
                await(Duration.ofSeconds(60), "host record of " + bed.hostName(v), () -> kv.get(keys.host(bed.hostName(v))).isPresent(), 300);
                store.delete(Kinds.standard().byKind("Stack").orElseThrow(), stack);
                await(Duration.ofSeconds(120), stack + " removed", () -> bed.running(n -> n.startsWith(mine)) == 0, 300);
            }
        } finally {
            bed.stopOperators();
        }
        return out;
    }

    /** A host that runs a replica of {@code stack} and is not the leader; asks for a rebalance when the leader runs them all. */
    private int berthVictim(HostBed bed, List<OperatorProcess> ops, KeyLayout keys, String stack) {
        String mine = stack + "-web-";
        await(Duration.ofSeconds(120), "a scheduler leader", () -> leader(ops) >= 0, 300);
        if (candidate(bed, ops, mine) < 0) {
            kv.put(keys.rebalance(stack), "{\"requested\":\"" + Instant.now() + "\"}");
            await(Duration.ofSeconds(180), "a replica on a host that is not the leader",
                    () -> candidate(bed, ops, mine) >= 0 && bed.running(n -> n.startsWith(mine)) == 3, 300);
        }
        return candidate(bed, ops, mine);
    }

    private int candidate(HostBed bed, List<OperatorProcess> ops, String mine) {
        int leader = leader(ops);
        for (int i = 0; i < bed.hosts.size(); i++) {
            if (i != leader && HostBed.running(bed.hosts.get(i), n -> n.startsWith(mine)) > 0) {
                return i;
            }
        }
        return -1;
    }

    private static int leader(List<OperatorProcess> ops) {
        for (int i = 0; i < ops.size(); i++) {
            try {
                if (ops.get(i).scrape().sum("berth_leader", "election=\"scheduler\"") == 1) {
                    return i;
                }
            } catch (IOException e) {
                // not this one
            }
        }
        return -1;
    }

    private List<Double> swarm(HostBed bed, Detection d, int k) throws Exception {
        List<Double> out = new ArrayList<>();
        try (SwarmCluster swarm = new SwarmCluster(bed, d.heartbeat())) {
            for (int r = 0; r < runs; r++) {
                String service = "sf" + k + "r" + r;
                String mine = service + ".";
                swarm.create(service, 3);
                await(Duration.ofSeconds(180), "3 tasks of " + service, () -> bed.running(n -> n.startsWith(mine)) == 3, 300);
                int v = -1;
                for (int i = 1; i < bed.hosts.size() && v < 0; i++) {
                    if (HostBed.running(bed.hosts.get(i), n -> n.startsWith(mine)) > 0) {
                        v = i;
                    }
                }
                if (v < 0) {
                    throw new AssertionError("Swarm put all of " + service + " on its manager: " + bed.spread(n -> n.startsWith(mine)));
                }
                NsDockerd victim = bed.hosts.get(v);
                int moving = HostBed.running(victim, n -> n.startsWith(mine));
                Set<String> before = new HashSet<>();
                bed.hosts.forEach(h -> h.client.listContainersCmd().withShowAll(true).exec()
                        .forEach(c -> before.add(c.getNames()[0].substring(1))));
                List<NsDockerd> survivors = bed.hosts.stream().filter(h -> h != victim).toList();
                try (HostStarts starts = new HostStarts(survivors, n -> n.startsWith(mine) && !before.contains(n))) {
                    long t0 = victim.crash();
                    long end = starts.await(moving, Duration.ofSeconds(240));
                    out.add(ms(end - t0));
                    System.out.printf("swarm-failover %s, Swarm run %d: %d task(s) of %s running elsewhere after %s ms%n", d.name(),
                            r, moving, bed.hostName(v), fmt(ms(end - t0)));
                }
                // The host comes back and rejoins by itself; the manager has its old tasks shut down.
                victim.restart();
                await(Duration.ofSeconds(120), "swarm node of " + bed.hostName(v) + " ready", () -> swarm.readyNodes() == bed.hosts.size(), 300);
                swarm.remove(service);
                await(Duration.ofSeconds(120), service + " removed", () -> bed.running(n -> n.startsWith(mine)) == 0, 300);
            }
        }
        return out;
    }
}
