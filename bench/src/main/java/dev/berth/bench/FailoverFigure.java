package dev.berth.bench;

import static dev.berth.bench.BenchSupport.await;
import static dev.berth.bench.BenchSupport.fmt;
import static dev.berth.bench.BenchSupport.ms;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import dev.berth.operator.store.KeyLayout;
import dev.berth.reconcilers.docker.DockerClients;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.watch.WatchEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Failover on a three-host bed (issue 14): three hosts, each a dockerd in a network namespace of its own with an
 * operator ({@code --host-ttl 5 --failover-after 5}); a stack of 3 replicas. One host that is not the scheduler's
 * leader and runs a replica is killed (SIGKILL of its operator, then its containers removed, as if the machine
 * went away) → each of its replicas started on another host, seen by the survivors' Docker events. The pieces:
 * host record gone (lease TTL), assignment moved (failover-after), container started. No goal: the scheduler's
 * part is at most TTL + failover-after.
 */
final class FailoverFigure extends Figure {
    static final int HOSTS = 3;
    static final int TTL = 5;
    static final int FAILOVER_AFTER = 5;
    static final String STACK = "fo";

    FailoverFigure(BenchRun bench) {
        super(bench);
    }

    /** One host of the bed: its namespace and dockerd, and its operator. */
    private final class Host implements AutoCloseable {
        final String name;
        final String instance;
        final String prefix;
        final NsDockerd docker;
        final DockerClient client() {
            return docker.client;
        }
        OperatorProcess op;

        Host(int i, String prefix) {
            name = "bench-" + runId + "-o" + i;
            instance = "bb" + runId + "o" + i;
            this.prefix = prefix;
            String ns = "bbo" + runId + i;
            docker = new NsDockerd(ns, "/run/bbo-" + runId + "-" + i + ".sock", "/run/bbo-" + runId + "-" + i,
                    work.resolve("dockerd-o" + i), work.resolve("dockerd-" + ns + ".log"));
        }

        void start() throws Exception {
            docker.start(FailoverFigure.this.client, image);
            startOperator();
        }

        void startOperator() throws IOException {
            op = new OperatorProcess(jar, name, instance, prefix, "unix://" + docker.sock, etcdEndpoints, 30, WORKERS,
                    work.resolve("operator-" + name + ".log"), "--host-ttl", String.valueOf(TTL), "--failover-after",
                    String.valueOf(FAILOVER_AFTER));
        }

        /** The machine goes away: the operator dies at once (SIGKILL), and what it ran stops. */
        void kill() throws InterruptedException {
            op.process.destroyForcibly().waitFor();
            op = null;
            docker.removeContainers();
        }

        List<String> running() {
            List<String> out = new ArrayList<>();
            for (Container c : client().listContainersCmd().exec()) {
                String n = c.getNames()[0].substring(1);
                if (n.startsWith(STACK + "-web-")) {
                    out.add(n);
                }
            }
            return out;
        }

        boolean leader() {
            try {
                return op != null && op.scrape().sum("berth_leader", "election=\"scheduler\"") == 1;
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void close() {
            if (op != null) {
                op.close();
            }
            docker.close();
        }
    }

    @Override
    void run() throws Exception {
        String prefix = newPrefix("o");
        KeyLayout keys = new KeyLayout(prefix);
        List<Host> hosts = new ArrayList<>();
        try {
            for (int i = 0; i < HOSTS; i++) {
                Host h = new Host(i, prefix);
                hosts.add(h);
                h.start();
            }
            apply(store(prefix), """
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
                    """.formatted(STACK, image));
            await(Duration.ofSeconds(180), "3 replicas running", () -> runningCount(hosts) == 3, 500);
            List<Double> total = new ArrayList<>();
            List<Double> recordGone = new ArrayList<>();
            List<Double> reassigned = new ArrayList<>();
            List<Double> started = new ArrayList<>();
            for (int r = 0; r < Math.max(3, runs); r++) {
                Host victim = victim(hosts, keys);
                List<Host> survivors = hosts.stream().filter(h -> h != victim).toList();
                Set<String> moving = ConcurrentHashMap.newKeySet();
                moving.addAll(victim.running());
                List<String> replicas = List.copyOf(moving);
                CountDownLatch allStarted = new CountDownLatch(moving.size());
                AtomicLong gone = new AtomicLong();
                AtomicLong moved = new AtomicLong();
                AtomicLong t0 = new AtomicLong(Long.MAX_VALUE);
                List<ResultCallback.Adapter<Event>> streams = new ArrayList<>();
                long from = kv.list(keys.hostsPrefix()).revision() + 1;
                Watch.Listener hostsListener = Watch.listener(resp -> {
                    for (WatchEvent e : resp.getEvents()) {
                        if (e.getEventType() == WatchEvent.EventType.DELETE
                                && e.getKeyValue().getKey().toString(StandardCharsets.UTF_8).equals(keys.host(victim.name))) {
                            gone.compareAndSet(0, System.nanoTime());
                        }
                    }
                });
                Watch.Listener assignmentListener = Watch.listener(resp -> {
                    for (WatchEvent e : resp.getEvents()) {
                        if (e.getEventType() == WatchEvent.EventType.PUT && System.nanoTime() > t0.get()
                                && !e.getKeyValue().getValue().toString(StandardCharsets.UTF_8).contains("\"" + victim.name + "\"")) {
                            moved.compareAndSet(0, System.nanoTime());
                        }
                    }
                });
                try (Watch.Watcher w1 = kv.watchPrefix(keys.hostsPrefix(), from, hostsListener);
                     Watch.Watcher w2 = kv.watchPrefix(keys.assignment(STACK), from, assignmentListener)) {
                    for (Host s : survivors) {
                        streams.add(startEvents(s, moving, allStarted));
                    }
                    t0.set(System.nanoTime());
                    victim.kill();
                    if (!allStarted.await(180, TimeUnit.SECONDS)) {
                        throw new AssertionError("replicas " + moving + " of " + victim.name + " not started elsewhere within 180 s");
                    }
                    long end = System.nanoTime();
                    total.add(ms(end - t0.get()));
                    recordGone.add(gone.get() == 0 ? Double.NaN : ms(gone.get() - t0.get()));
                    reassigned.add(moved.get() == 0 ? Double.NaN : ms(moved.get() - t0.get()));
                    started.add(moved.get() == 0 ? Double.NaN : ms(end - moved.get()));
                    System.out.printf("failover run %d: %s killed, %s running elsewhere after %s ms%n", r, victim.name,
                            replicas, fmt(ms(end - t0.get())));
                } finally {
                    for (ResultCallback.Adapter<Event> s : streams) {
                        s.close();
                    }
                }
                // The host comes back (it runs nothing now) for the next round.
                victim.startOperator();
                await(Duration.ofSeconds(60), "host record of " + victim.name, () -> kv.get(keys.host(victim.name)).isPresent(), 500);
            }
            rows.add(new Row("failover: host killed → its replicas running on another host (3 hosts, 3 replicas)",
                    new Stats(total), null, "", Double.NaN, " ms", "lease TTL (--host-ttl) " + TTL + " s, --failover-after "
                    + FAILOVER_AFTER + " s (the record goes at most a TTL after the operator's last keep-alive, its replicas move"
                    + " failover-after later: ≤ " + (TTL + FAILOVER_AFTER) + " s before the new container is made); host record gone after "
                    + new Stats(recordGone).show(" ms") + "; assignment moved after " + new Stats(reassigned).show(" ms")
                    + "; from the move to the container's start " + new Stats(started).show(" ms")));
            notes.add("failover: the killed host is never the scheduler's leader (a dead leader adds its election's 10 s"
                    + " lease); its operator is SIGKILLed, then its containers removed; it comes back between runs");
        } finally {
            for (Host h : hosts) {
                h.close();
            }
        }
    }

    /** A host that runs a replica and is not the leader; asks for a rebalance when the leader runs them all. */
    private Host victim(List<Host> hosts, KeyLayout keys) {
        await(Duration.ofSeconds(120), "a scheduler leader", () -> hosts.stream().anyMatch(Host::leader), 500);
        await(Duration.ofSeconds(60), "3 replicas running", () -> runningCount(hosts) == 3, 500);
        if (hosts.stream().noneMatch(h -> !h.leader() && !h.running().isEmpty())) {
            kv.put(keys.rebalance(STACK), "{\"requested\":\"" + Instant.now() + "\"}");
            await(Duration.ofSeconds(180), "a replica on a host that is not the leader",
                    () -> hosts.stream().anyMatch(h -> !h.leader() && !h.running().isEmpty()) && runningCount(hosts) == 3, 500);
        }
        return hosts.stream().filter(h -> !h.leader() && !h.running().isEmpty())
                .max(Comparator.comparingInt(h -> h.running().size())).orElseThrow();
    }

    private static int runningCount(List<Host> hosts) {
        return hosts.stream().mapToInt(h -> h.running().size()).sum();
    }

    /** Start events of the given container names on a surviving host: the time each arrived here. */
    private ResultCallback.Adapter<Event> startEvents(Host h, Set<String> names, CountDownLatch latch) throws InterruptedException {
        DockerClient events = DockerClients.connectForEvents("unix://" + h.docker.sock);
        ResultCallback.Adapter<Event> cb = events.eventsCmd().withEventTypeFilter(EventType.CONTAINER).withEventFilter("start")
                .exec(new ResultCallback.Adapter<>() {
                    @Override
                    public void onNext(Event e) {
                        Map<String, String> a = e.getActor() == null || e.getActor().getAttributes() == null
                                ? Map.of() : e.getActor().getAttributes();
                        if (names.remove(a.getOrDefault("name", ""))) {
                            latch.countDown();
                        }
                    }

                    @Override
                    public void close() throws IOException {
                        super.close();
                        events.close();
                    }
                });
        cb.awaitStarted(10, TimeUnit.SECONDS);
        return cb;
    }
}
