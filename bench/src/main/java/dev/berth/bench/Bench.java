package dev.berth.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.api.model.HostConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.Resource;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.store.EtcdConnector;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.EtcdSettings;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.ResourceStore;
import dev.berth.operator.store.StatusCodec;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.docker.DockerClients;
import dev.berth.reconcilers.labels.BerthLabels;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Berth against the raw baselines, side by side, on this machine: convergence, steady state, reaction,
 * etcd → running, FDB programming and memory. Prints a table and a summary line, writes BENCHMARKS.md.
 * Usage: Bench [--only a,b,…] [--out FILE] [--quiet-wait SECONDS] [--runs N] [--force]
 */
public final class Bench {
    static final String LABEL = "berth-bench";
    static final int WORKERS = 4;

    final String docker = env("DOCKER_HOST", "unix:///run/berth-env/docker.sock");
    final String etcdEndpoints = env("BERTH_ETCD_ENDPOINTS", "http://127.0.0.1:23790");
    final String image = env("BERTH_TEST_IMAGE", "berth-test/busybox:1");
    final Path jar;
    final Path work;
    final String runId = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL | 0x1000000L).substring(1);
    final DockerClient client;
    final DockerClient events;
    final Client etcdClient;
    final EtcdKv kv;
    final List<Row> rows = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    final List<String> loadLog = new ArrayList<>();
    final Set<String> only;
    final int runs;
    final boolean force;
    final int quietWait;
    final Path out;
    final Set<String> prefixes = new LinkedHashSet<>();

    /** One figure: Berth's median and spread against a baseline's, with the goal on the ratio (NaN: no goal). */
    record Row(String figure, Stats berth, Stats baseline, String baselineName, double goal, String unit, String note) {
        double ratio() {
            return baseline == null || baseline.median() == 0 ? Double.NaN : berth.median() / baseline.median();
        }

        String verdict() {
            if (Double.isNaN(goal) || Double.isNaN(ratio())) {
                return "";
            }
            return ratio() <= goal ? "met (≤ " + fmt(goal) + "×)" : "MISSED (goal ≤ " + fmt(goal) + "×)";
        }
    }

    record Stats(List<Double> values) {
        double median() {
            return pct(50);
        }

        double pct(double p) {
            List<Double> s = new ArrayList<>(values);
            Collections.sort(s);
            if (s.isEmpty()) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(p / 100.0 * s.size());
            if (p == 50 && s.size() % 2 == 0) {
                return (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
            }
            return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
        }

        double min() {
            return values.stream().mapToDouble(d -> d).min().orElse(Double.NaN);
        }

        double max() {
            return values.stream().mapToDouble(d -> d).max().orElse(Double.NaN);
        }

        String show(String unit) {
            return fmt(median()) + unit + " [" + fmt(min()) + "–" + fmt(max()) + ", n=" + values.size() + "]";
        }
    }

    Bench(String[] args) {
        Set<String> o = new LinkedHashSet<>();
        int r = 3;
        boolean f = false;
        int q = 600;
        Path outFile = Path.of("BENCHMARKS.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--only" -> o.addAll(List.of(args[++i].split(",")));
                case "--runs" -> r = Integer.parseInt(args[++i]);
                case "--force" -> f = true;
                case "--quiet-wait" -> q = Integer.parseInt(args[++i]);
                case "--out" -> outFile = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        only = o;
        runs = r;
        force = f;
        quietWait = q;
        out = outFile;
        jar = Path.of(env("BERTH_JAR", "operator/target/berth.jar")).toAbsolutePath();
        try {
            work = Files.createTempDirectory("berth-bench-" + runId + "-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        client = DockerClients.connect(docker);
        events = DockerClients.connectForEvents(docker);
        EtcdSettings settings = new EtcdSettings(List.of(etcdEndpoints.split(",")), null, null, null, null, null,
                Duration.ofSeconds(10));
        etcdClient = EtcdConnector.connect(settings);
        kv = new EtcdKv(etcdClient, settings);
    }

    public static void main(String[] args) throws Exception {
        Bench b = new Bench(args);
        int code = b.run();
        System.exit(code);
    }

    int run() throws Exception {
        System.out.println("berth-bench run " + runId + ": " + machine().replace("\n", "; "));
        Load start = Load.sample();
        System.out.println("load: " + start);
        if (!start.quiet() && !force) {
            System.out.println("machine busy: waiting up to " + quietWait + " s for a quiet window");
            start = Load.awaitQuiet(quietWait);
            if (!start.quiet()) {
                System.out.println("still busy after " + quietWait + " s (" + start + "); running anyway, results FLAGGED");
            }
        }
        loadLog.add("start: " + start);
        String[] order = {"steady", "reaction", "etcd", "memory", "fdb", "converge10", "converge100"};
        try {
            for (String s : order) {
                if (!only.isEmpty() && !only.contains(s)) {
                    continue;
                }
                Load before = Load.sample();
                loadLog.add(s + " before: " + before);
                System.out.println("== " + s + " (" + before + ")");
                try {
                    switch (s) {
                        case "steady" -> steady();
                        case "reaction" -> reaction();
                        case "etcd" -> etcdToRunning();
                        case "memory" -> memory();
                        case "fdb" -> fdb();
                        case "converge10" -> convergence(10);
                        case "converge100" -> convergence(100);
                        default -> throw new IllegalStateException(s);
                    }
                } catch (Exception | AssertionError e) {
                    e.printStackTrace();
                    notes.add(s + ": FAILED: " + e);
                } finally {
                    cleanupDocker();
                }
            }
        } finally {
            cleanupDocker();
            for (String p : prefixes) {
                kv.deletePrefix(p + "/");
            }
        }
        Load end = Load.sample();
        loadLog.add("end: " + end);
        report();
        return 0;
    }

    // ---------------------------------------------------------------- scenarios

    /** 500 stacks converged, then the idle operator through several resyncs: calls per resync, etcd/min, CPU/min, RSS. */
    void steady() throws Exception {
        int n = 500;
        int resync = 10;
        String instance = "bb" + runId + "s";
        String host = "bench-" + runId + "-s";
        String prefix = newPrefix("s");
        Path upstream = Path.of(docker.replaceFirst("^unix://", ""));
        try (CountingProxy proxy = new CountingProxy(work.resolve("docker-proxy.sock"), upstream);
             OperatorProcess op = new OperatorProcess(jar, host, instance, prefix, proxy.dockerHost(), etcdEndpoints,
                     resync, WORKERS, work.resolve("operator-steady.log"))) {
            ResourceStore store = store(prefix);
            long t0 = System.nanoTime();
            // Every stack owns a Docker network (<stack>_default): 500 one-container stacks need the test daemon's
            // large address pool (env-up.sh). On a default daemon (~30 bridge networks) set BENCH_STEADY_STACKS=25
            // to measure 500 containers as 25 stacks of 20 replicas instead.
            int stacks = Integer.parseInt(env("BENCH_STEADY_STACKS", "500"));
            int replicas = n / stacks;
            // etcd takes at most 128 operations per transaction: 100 stacks per apply.
            for (int from = 0; from < stacks; from += 100) {
                StringBuilder y = new StringBuilder();
                for (int i = from; i < Math.min(stacks, from + 100); i++) {
                    y.append(stackYaml("st" + i, host, "  replicas: " + replicas + "\n"));
                }
                apply(store, y.toString());
            }
            notes.add("steady state: " + stacks + " stacks × " + replicas + " replica(s) = " + stacks * replicas + " containers");
            await(Duration.ofMinutes(20), stacks + " stacks Ready", () -> readyCount(prefix, host) >= stacks, 1000);
            double convergeS = secs(System.nanoTime() - t0);
            System.out.printf(Locale.ROOT, "steady: %d containers Ready in %.1f s%n", n, convergeS);
            notes.add("steady state: 500 containers converged in " + fmt(convergeS) + " s (4 workers; one-off, not a benchmark figure)");
            sleep(15_000); // let the last status writes and backoffs settle
            // Sample at every resync: per-resync deltas of the operator's counters and of the proxy.
            List<Metrics> snaps = new ArrayList<>();
            List<Map<String, Long>> proxySnaps = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            Metrics first = op.scrape();
            double lastResync = first.sum("berth_resyncs_total");
            long windowStart = System.nanoTime();
            double cpuStart = op.cpuSeconds();
            Metrics windowFirst = first;
            Map<String, Long> proxyFirst = proxy.snapshot();
            while (System.nanoTime() - windowStart < TimeUnit.SECONDS.toNanos(75)) {
                sleep(250);
                Metrics m = op.scrape();
                double r = m.sum("berth_resyncs_total");
                if (r != lastResync) {
                    sleep(resync * 1000L / 2); // the resync's reconciles finish well within half a period
                    snaps.add(op.scrape());
                    proxySnaps.add(proxy.snapshot());
                    cpu.add(op.cpuSeconds());
                    times.add(System.nanoTime());
                    lastResync = op.scrape().sum("berth_resyncs_total");
                }
            }
            long windowEnd = System.nanoTime();
            double cpuEnd = op.cpuSeconds();
            Metrics last = op.scrape();
            Map<String, Long> proxyLast = proxy.snapshot();
            long rss = op.rssKb();
            double minutes = (windowEnd - windowStart) / 60e9;
            double resyncs = last.sum("berth_resyncs_total") - windowFirst.sum("berth_resyncs_total");

            Map<String, Double> d0 = windowFirst.byLabel("berth_docker_requests_total", "operation");
            Map<String, Double> d1 = last.byLabel("berth_docker_requests_total", "operation");
            Set<String> mutating = Set.of("create_container", "start_container", "rename_container", "remove_container",
                    "connect_network", "create_network", "remove_network");
            Set<String> lists = Set.of("list_containers", "list_networks");
            // per-resync figures between consecutive resync snapshots
            List<Double> mutPer = new ArrayList<>();
            List<Double> listPer = new ArrayList<>();
            List<Double> otherPer = new ArrayList<>();
            List<Double> proxyListPer = new ArrayList<>();
            List<Double> proxyMutPer = new ArrayList<>();
            for (int i = 1; i < snaps.size(); i++) {
                Map<String, Double> a = snaps.get(i - 1).byLabel("berth_docker_requests_total", "operation");
                Map<String, Double> b = snaps.get(i).byLabel("berth_docker_requests_total", "operation");
                double rs = snaps.get(i).sum("berth_resyncs_total") - snaps.get(i - 1).sum("berth_resyncs_total");
                if (rs <= 0) {
                    continue;
                }
                mutPer.add(delta(a, b, mutating::contains) / rs);
                listPer.add(delta(a, b, lists::contains) / rs);
                otherPer.add(delta(a, b, k -> !mutating.contains(k) && !lists.contains(k)) / rs);
                proxyListPer.add(proxyDelta(proxySnaps.get(i - 1), proxySnaps.get(i), k -> k.equals("GET /containers/json")
                        || k.equals("GET /networks") || k.equals("GET /networks/json")) / rs);
                proxyMutPer.add(proxyDelta(proxySnaps.get(i - 1), proxySnaps.get(i), k -> !k.startsWith("GET ")) / rs);
            }
            Map<String, Double> byOp = new LinkedHashMap<>();
            for (String k : new java.util.TreeSet<>(d1.keySet())) {
                double d = d1.getOrDefault(k, 0.0) - d0.getOrDefault(k, 0.0);
                if (d != 0) {
                    byOp.put(k, d / Math.max(1, resyncs));
                }
            }
            Map<String, Long> proxyDeltaAll = new java.util.TreeMap<>();
            proxyLast.forEach((k, v) -> {
                long d = v - proxyFirst.getOrDefault(k, 0L);
                if (d != 0) {
                    proxyDeltaAll.put(k, d);
                }
            });
            Map<String, Double> e0 = windowFirst.byLabel("berth_etcd_requests_total", "operation");
            Map<String, Double> e1 = last.byLabel("berth_etcd_requests_total", "operation");
            Map<String, Double> etcdPerMin = new java.util.TreeMap<>();
            e1.forEach((k, v) -> {
                double d = v - e0.getOrDefault(k, 0.0);
                if (d != 0) {
                    etcdPerMin.put(k, d / minutes);
                }
            });
            double etcdTotalPerMin = etcdPerMin.values().stream().mapToDouble(d -> d).sum();
            List<Double> cpuPerMin = new ArrayList<>();
            for (int i = 1; i < cpu.size(); i++) {
                cpuPerMin.add((cpu.get(i) - cpu.get(i - 1)) / ((times.get(i) - times.get(i - 1)) / 60e9));
            }
            rows.add(new Row("steady: mutating Docker calls per resync (500 containers)", new Stats(mutPer), null, "", Double.NaN, "",
                    "goal 0: " + (mutPer.stream().allMatch(d -> d == 0) && !mutPer.isEmpty() ? "met" : "MISSED")));
            rows.add(new Row("steady: list Docker calls per resync", new Stats(listPer), null, "", Double.NaN, "",
                    "goal ≤ 2: " + (!listPer.isEmpty() && listPer.stream().allMatch(d -> d <= 2) ? "met" : "MISSED")
                            + " by the operator's metrics; by the proxy: "
                            + (!proxyListPer.isEmpty() && proxyListPer.stream().allMatch(d -> d <= 2) ? "met" : "MISSED")));
            rows.add(new Row("steady: other Docker calls per resync (inspect, …)", new Stats(otherPer), null, "", Double.NaN, "", ""));
            rows.add(new Row("steady: proxy-counted list calls per resync (cross-check)", new Stats(proxyListPer), null, "", Double.NaN, "",
                    "proxy GET /containers/json + GET /networks"));
            rows.add(new Row("steady: proxy-counted non-GET calls per resync (cross-check)", new Stats(proxyMutPer), null, "", Double.NaN, "", ""));
            rows.add(new Row("steady: etcd requests per minute", new Stats(List.of(etcdTotalPerMin)), null, "", Double.NaN, "/min",
                    etcdPerMin.toString()));
            rows.add(new Row("steady: CPU time per minute (s of CPU / min)", new Stats(cpuPerMin), null, "", Double.NaN, " s",
                    "whole window: " + fmt((cpuEnd - cpuStart) / minutes) + " s/min"));
            rows.add(new Row("steady: RSS with 500 running containers", new Stats(List.of(rss / 1024.0)), null, "", Double.NaN, " MiB",
                    "heap used " + fmt(last.sum("jvm_memory_used_bytes", "area=\"heap\"") / 1048576.0) + " MiB"));
            notes.add("steady state window " + fmt(minutes * 60) + " s, " + fmt(resyncs) + " resyncs (every " + resync
                    + " s); operator metrics, Docker calls per resync by operation: " + byOp);
            notes.add("steady state, counting proxy over the same window (all requests, not per resync): " + proxyDeltaAll);
        }
    }

    /** A managed container removed by hand → running again, against one create+start of the same container. */
    void reaction() throws Exception {
        String instance = "bb" + runId + "r";
        String host = "bench-" + runId + "-r";
        String prefix = newPrefix("r");
        int tries = 20;
        try (OperatorProcess op = new OperatorProcess(jar, host, instance, prefix, docker, etcdEndpoints, 300, WORKERS,
                work.resolve("operator-reaction.log"));
             StartEvents started = new StartEvents(events, BerthLabels.MANAGED_BY, instance)) {
            ResourceStore store = store(prefix);
            applyStacks(store, List.of("react"), host);
            await(Duration.ofSeconds(90), "stack react Ready", () -> readyCount(prefix, host) >= 1, 100);
            List<Double> berth = new ArrayList<>();
            Metrics pa = op.scrape();
            for (int i = 0; i <= tries; i++) {
                sleep(1000);
                List<Container> cs = owned(instance, "stack/react");
                if (cs.size() != 1 || !"running".equals(cs.get(0).getState())) {
                    throw new AssertionError("expected one running container of react, got " + cs.size());
                }
                client.removeContainerCmd(cs.get(0).getId()).withForce(true).exec();
                long t0 = System.nanoTime();
                Ev e = started.await(ev -> ev.nanos > t0 && "stack/react".equals(ev.owner), Duration.ofSeconds(60));
                if (i > 0) { // the first try warms the JVM's code paths and is not counted
                    berth.add(ms(e.nanos - t0));
                }
                await(Duration.ofSeconds(30), "react Ready again", () -> readyCount(prefix, host) >= 1
                        && owned(instance, "stack/react").stream().anyMatch(c -> "running".equals(c.getState())), 50);
            }
            notes.add("reaction, 21 tries: " + profile(pa, op.scrape()));
            Stats base = baselineRun(tries, false);
            Stats b = new Stats(berth);
            rows.add(new Row("reaction: removed → running again, p50", b, base, "one create+start (docker run)", 1.5, " ms", ""));
            rows.add(new Row("reaction: removed → running again, p99", new Stats(List.of(b.pct(99))),
                    new Stats(List.of(base.pct(99))), "one create+start, p99", Double.NaN, " ms",
                    "p99 of 20 = the slowest try"));
        }
    }

    /** One stack applied in etcd → its container running, against baseline A for one container. */
    void etcdToRunning() throws Exception {
        String instance = "bb" + runId + "e";
        String host = "bench-" + runId + "-e";
        String prefix = newPrefix("e");
        int tries = 20;
        try (OperatorProcess op = new OperatorProcess(jar, host, instance, prefix, docker, etcdEndpoints, 300, WORKERS,
                work.resolve("operator-etcd.log"));
             StartEvents started = new StartEvents(events, BerthLabels.MANAGED_BY, instance)) {
            ResourceStore store = store(prefix);
            List<Double> berth = new ArrayList<>();
            Metrics pa = op.scrape();
            for (int i = 0; i <= tries; i++) {
                String name = "e2r" + i;
                sleep(500);
                long t0 = System.nanoTime();
                applyStacks(store, List.of(name), host);
                Ev e = started.await(ev -> ev.nanos > t0 && ("stack/" + name).equals(ev.owner), Duration.ofSeconds(60));
                if (i > 0) {
                    berth.add(ms(e.nanos - t0));
                }
                store.delete(Kinds.standard().byKind("Stack").orElseThrow(), name);
                await(Duration.ofSeconds(60), name + " removed", () -> owned(instance, "stack/" + name).isEmpty()
                        && client.listNetworksCmd().withFilter("label", List.of(BerthLabels.MANAGED_BY + "=" + instance)).exec().isEmpty(), 100);
            }
            notes.add("etcd → running, 21 applies and deletes: " + profile(pa, op.scrape()));
            Stats base = baselineRun(tries, true);
            Stats b = new Stats(berth);
            rows.add(new Row("etcd → running, p50", b, base, "A: network+create+start, 1 container", Double.NaN, " ms", ""));
            rows.add(new Row("etcd → running, p99", new Stats(List.of(b.pct(99))), new Stats(List.of(base.pct(99))),
                    "A, p99", Double.NaN, " ms", "p99 of 20 = the slowest try"));
        }
    }

    /**
     * Baseline "one docker run": create + start of the same container through docker-java, to its start event.
     * withNetwork: also creates its own bridge network first, as Berth does for a new stack ("<stack>_default").
     */
    Stats baselineRun(int tries, boolean withNetwork) throws Exception {
        List<Double> out = new ArrayList<>();
        String net0 = runId + "-bnet";
        if (!withNetwork) {
            client.createNetworkCmd().withName(net0).withDriver("bridge").withLabels(Map.of(LABEL, runId)).exec();
        }
        try (StartEvents started = new StartEvents(events, LABEL, runId)) {
            for (int i = 0; i <= tries; i++) {
                sleep(500);
                String name = runId + "-base-" + i;
                long t0 = System.nanoTime();
                String net = net0;
                if (withNetwork) {
                    net = name + "_default";
                    client.createNetworkCmd().withName(net).withDriver("bridge").withLabels(Map.of(LABEL, runId)).exec();
                }
                String id = createContainer(name, net);
                client.startContainerCmd(id).exec();
                Ev e = started.await(ev -> ev.nanos > t0 && name.equals(ev.name), Duration.ofSeconds(60));
                if (i > 0) {
                    out.add(ms(e.nanos - t0));
                }
                client.removeContainerCmd(id).withForce(true).exec();
                if (withNetwork) {
                    client.removeNetworkCmd(net).exec();
                }
            }
        } finally {
            if (!withNetwork) {
                client.removeNetworkCmd(net0).exec();
            }
        }
        return new Stats(out);
    }

    /**
     * The container Berth makes for the benchmark's one-service stack, made directly: the same command, init,
     * restart policy and service alias on its network (so both do the same Docker work), and comparable labels.
     */
    String createContainer(String name, String network) {
        return client.createContainerCmd(image).withName(name)
                .withCmd("httpd", "-f", "-p", "8080", "-h", "/www")
                .withLabels(Map.of(LABEL, runId, "bench.owner", name, "bench.service", "web", "bench.replica", "1"))
                .withAliases("web")
                .withHostConfig(HostConfig.newHostConfig().withInit(true).withNetworkMode(network)
                        .withRestartPolicy(com.github.dockerjava.api.model.RestartPolicy.unlessStoppedRestart()))
                .exec().getId();
    }

    /** RSS of a fresh operator with no stacks and with 1,000 stacks placed on another host. */
    void memory() throws Exception {
        List<Double> none = new ArrayList<>();
        List<Double> thousand = new ArrayList<>();
        List<Double> heapNone = new ArrayList<>();
        List<Double> heapThousand = new ArrayList<>();
        String prefixNone = newPrefix("m0");
        String prefixK = newPrefix("mk");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            names.add("mem" + i);
        }
        applyStacks(store(prefixK), names, "elsewhere-" + runId);
        for (int r = 0; r < runs; r++) {
            for (boolean k : new boolean[] {false, true}) {
                String instance = "bb" + runId + "m";
                try (OperatorProcess op = new OperatorProcess(jar, "bench-" + runId + "-m", instance, k ? prefixK : prefixNone,
                        docker, etcdEndpoints, 300, WORKERS, work.resolve("operator-memory.log"))) {
                    if (k) {
                        await(Duration.ofSeconds(60), "1000 stacks listed", () -> {
                            try {
                                return op.scrape().sum("berth_workqueue_adds_total", "name=\"stack\"") >= 1000;
                            } catch (IOException e) {
                                return false;
                            }
                        }, 500);
                    }
                    sleep(20_000);
                    Metrics m = op.scrape();
                    (k ? thousand : none).add(op.rssKb() / 1024.0);
                    (k ? heapThousand : heapNone).add(m.sum("jvm_memory_used_bytes", "area=\"heap\"") / 1048576.0);
                }
            }
        }
        rows.add(new Row("memory: RSS, 1,000 stacks placed elsewhere", new Stats(thousand), new Stats(none), "RSS with no stacks",
                Double.NaN, " MiB", "heap used " + new Stats(heapThousand).show(" MiB") + " vs " + new Stats(heapNone).show(" MiB")));
    }

    /** 1,000 simulated peers of a Network in etcd → 1,000 flood entries on bv<vni>, against one bridge -batch. */
    void fdb() throws Exception {
        String ns = "bbn" + runId;
        String ul = "10.251.77.1";
        int vni = 7000 + ThreadLocalRandom.current().nextInt(1000);
        Path dockerData = work.resolve("dockerd");
        String sock = "/run/bb-" + runId + ".sock";
        String exec = "/run/bb-" + runId;
        Process dockerd = null;
        String instance = "bb" + runId + "f";
        String host = "bench-" + runId + "-f";
        String prefix = newPrefix("f");
        try {
            sh("ip", "netns", "add", ns);
            sh("ip", "-n", ns, "link", "set", "lo", "up");
            // no dummy module on every kernel: a veth pair whose inner end is the underlay
            sh("ip", "link", "add", "bbv" + runId, "type", "veth", "peer", "name", "ul0", "netns", ns);
            sh("ip", "link", "set", "bbv" + runId, "up");
            sh("ip", "-n", ns, "addr", "add", ul + "/24", "dev", "ul0");
            sh("ip", "-n", ns, "link", "set", "ul0", "up");
            Files.createDirectories(dockerData);
            dockerd = new ProcessBuilder("nsenter", "--net=/var/run/netns/" + ns, "dockerd", "--data-root",
                    dockerData.resolve("data").toString(), "--exec-root", exec, "--host", "unix://" + sock, "--pidfile",
                    exec + ".pid").redirectErrorStream(true).redirectOutput(work.resolve("dockerd-fdb.log").toFile()).start();
            await(Duration.ofSeconds(60), "private dockerd", () -> {
                try (DockerClient c = DockerClients.connect("unix://" + sock)) {
                    c.pingCmd().exec();
                    return true;
                } catch (Exception e) {
                    return false;
                }
            }, 300);
            try (DockerClient mine = DockerClients.connect("unix://" + sock); InputStream tar = client.saveImageCmd(image).exec()) {
                mine.loadImageCmd(tar).exec();
            }
            try (OperatorProcess op = new OperatorProcess(jar, host, instance, prefix, "unix://" + sock, etcdEndpoints, 300,
                    WORKERS, work.resolve("operator-fdb.log"), "--underlay-interface", "ul0", "--netns", ns)) {
                ResourceStore store = store(prefix);
                String yaml = """
                        apiVersion: berth.dev/v1
                        kind: Network
                        metadata:
                          name: fdbnet
                        spec:
                          vni: %d
                          subnet: 10.252.0.0/16
                          hostPrefix: 24
                          mode: flood
                        ---
                        """.formatted(vni) + stackYaml("fdbuser", host, "  networks: [fdbnet]\n");
                apply(store, yaml);
                String dev = "bv" + vni;
                await(Duration.ofSeconds(120), "network fdbnet Ready with " + dev, () -> {
                    Ready r = statusReady(prefix, "network", "fdbnet", host);
                    return r == Ready.TRUE && sh0("ip", "-n", ns, "link", "show", dev) == 0;
                }, 200);
                ObjectMapper json = new ObjectMapper();
                KeyLayout keys = new KeyLayout(prefix);
                List<EtcdKv.Write> writes = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    String peer = "peer" + i;
                    HostRecord rec = new HostRecord(peer, Map.of(), "bench", Instant.now().toString(),
                            "10.253." + (i / 250) + "." + (i % 250 + 1), HostRecord.vtepMacFor(peer),
                            List.of(new HostRecord.HostNetwork("fdbnet", vni, 4789)), Instant.now().toString());
                    writes.add(new EtcdKv.Write(keys.host(peer), json.writeValueAsString(rec)));
                }
                List<Double> berth = new ArrayList<>();
                List<Double> writesMs = new ArrayList<>();
                List<Double> afterWrites = new ArrayList<>();
                List<Double> batches = new ArrayList<>();
                for (int r = 0; r <= runs; r++) {
                    Metrics before = op.scrape();
                    // The end is seen by the kernel's own notifications (bridge monitor), not by polling, which
                    // would take CPU from the operator on this 2-core machine.
                    try (FdbWatch watch = FdbWatch.start(ns, dev, 1000)) {
                        long t0 = System.nanoTime();
                        for (int i = 0; i < writes.size(); i += 100) {
                            kv.commit(List.of(), writes.subList(i, Math.min(writes.size(), i + 100)));
                        }
                        long tw = System.nanoTime();
                        long t1 = watch.awaitAll(Duration.ofSeconds(120));
                        if (floodEntries(ns, dev) < 1000) {
                            throw new AssertionError("bridge monitor counted 1000 appends but fdb show lists fewer");
                        }
                        if (r > 0) {
                            berth.add(ms(t1 - t0));
                            writesMs.add(ms(tw - t0));
                            afterWrites.add(ms(t1 - tw));
                        }
                    }
                    Metrics after = op.scrape();
                    if (r > 0) {
                        batches.add(after.sum("berth_link_operations_total", "operation=\"append_fdb\"")
                                - before.sum("berth_link_operations_total", "operation=\"append_fdb\""));
                        notes.add("FDB run " + r + ": " + fmt(berth.get(berth.size() - 1)) + " ms; network reconciles "
                                + fmt(after.sum("berth_reconcile_time_seconds_count", "controller=\"network\"")
                                - before.sum("berth_reconcile_time_seconds_count", "controller=\"network\""))
                                + " taking " + fmt(after.sum("berth_reconcile_time_seconds_sum", "controller=\"network\"")
                                - before.sum("berth_reconcile_time_seconds_sum", "controller=\"network\"")) + " s in all; link operations "
                                + delta(before.byLabel("berth_link_operations_total", "operation"),
                                        after.byLabel("berth_link_operations_total", "operation"), k -> true));
                    }
                    kv.deletePrefix(keys.hostsPrefix() + "peer");
                    await(Duration.ofSeconds(120), "FDB entries removed", () -> floodEntries(ns, dev) == 0, 50);
                    sleep(1000);
                }
                // Baseline: a fresh VXLAN device and one bridge -batch of the same 1,000 lines.
                List<Double> raw = new ArrayList<>();
                for (int r = 0; r <= runs + 2; r++) {
                    String rawDev = "bvr" + runId;
                    sh("ip", "-n", ns, "link", "add", rawDev, "type", "vxlan", "id", String.valueOf(vni + 1), "local", ul,
                            "dstport", "4789", "nolearning");
                    StringBuilder batch = new StringBuilder();
                    for (int i = 0; i < 1000; i++) {
                        batch.append("fdb append 00:00:00:00:00:00 dev ").append(rawDev).append(" dst 10.253.")
                                .append(i / 250).append('.').append(i % 250 + 1).append(" self permanent\n");
                    }
                    long t0 = System.nanoTime();
                    Process p = new ProcessBuilder("bridge", "-n", ns, "-batch", "-").redirectErrorStream(true).start();
                    p.getOutputStream().write(batch.toString().getBytes(StandardCharsets.UTF_8));
                    p.getOutputStream().close();
                    String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (p.waitFor() != 0) {
                        throw new IOException("bridge -batch failed: " + o);
                    }
                    long t1 = System.nanoTime();
                    if (floodEntries(ns, rawDev) != 1000) {
                        throw new AssertionError("raw batch did not program 1000 entries");
                    }
                    if (r > 0) {
                        raw.add(ms(t1 - t0));
                    }
                    sh("ip", "-n", ns, "link", "del", rawDev);
                }
                rows.add(new Row("FDB: 1,000 peers in etcd → 1,000 flood entries", new Stats(berth), new Stats(raw),
                        "one bridge -batch of 1,000 appends", 1.2, " ms", "of which writing the 1,000 host records to etcd (10 txns): "
                        + new Stats(writesMs).show(" ms") + "; from the last record written to the last entry: "
                        + new Stats(afterWrites).show(" ms") + "; append_fdb operations counted per run: " + new Stats(batches).show("")));
                store.delete(Kinds.standard().byKind("Stack").orElseThrow(), "fdbuser");
                store.delete(Kinds.standard().byKind("Network").orElseThrow(), "fdbnet");
                sleep(5000);
            }
        } finally {
            if (dockerd != null) {
                try (DockerClient mine = DockerClients.connect("unix://" + sock)) {
                    for (Container c : mine.listContainersCmd().withShowAll(true).exec()) {
                        mine.removeContainerCmd(c.getId()).withForce(true).exec();
                    }
                } catch (Exception e) {
                    System.out.println("fdb cleanup: " + e);
                }
                dockerd.destroy();
                if (!dockerd.waitFor(60, TimeUnit.SECONDS)) {
                    dockerd.destroyForcibly().waitFor();
                }
            }
            sh0("ip", "link", "del", "bbv" + runId);
            sh0("ip", "netns", "delete", ns);
            sh0("rm", "-rf", dockerData.toString(), exec, exec + ".pid", sock);
        }
    }

    /** N one-container stacks applied at once → all running and Ready; against docker-java (A) and docker-compose (B). */
    void convergence(int n) throws Exception {
        String instance = "bb" + runId + "c" + n;
        String host = "bench-" + runId + "-c" + n;
        String prefix = newPrefix("c" + n);
        List<Double> berth = new ArrayList<>();
        List<Double> a = new ArrayList<>();
        List<Double> b = new ArrayList<>();
        int count = n >= 100 ? Math.max(2, runs - 1) : runs;
        try (OperatorProcess op = new OperatorProcess(jar, host, instance, prefix, docker, etcdEndpoints, 300, WORKERS,
                work.resolve("operator-conv" + n + ".log"))) {
            ResourceStore store = store(prefix);
            for (int r = 0; r < count; r++) {
                Metrics pa = op.scrape();
                // Berth
                List<String> names = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    names.add("c" + r + "x" + i);
                }
                long t0 = System.nanoTime();
                applyStacks(store, names, host);
                await(Duration.ofMinutes(10), n + " stacks Ready", () -> readyCount(prefix, host) >= n, 100);
                berth.add(secs(System.nanoTime() - t0));
                notes.add("convergence N=" + n + " run " + r + ": Berth " + fmt(berth.get(berth.size() - 1)) + " s; "
                        + profile(pa, op.scrape()));
                long running = client.listContainersCmd().withLabelFilter(Map.of(BerthLabels.MANAGED_BY, instance)).exec().stream()
                        .filter(c -> "running".equals(c.getState())).count();
                if (running != n) {
                    throw new AssertionError("Ready but " + running + " of " + n + " running");
                }
                for (String name : names) {
                    store.delete(Kinds.standard().byKind("Stack").orElseThrow(), name);
                }
                await(Duration.ofMinutes(10), "stacks removed", () -> client.listContainersCmd().withShowAll(true)
                        .withLabelFilter(Map.of(BerthLabels.MANAGED_BY, instance)).exec().isEmpty()
                        && client.listNetworksCmd().withFilter("label", List.of(BerthLabels.MANAGED_BY + "=" + instance)).exec().isEmpty(), 200);
                kv.deletePrefix(new KeyLayout(prefix).statusRoot());
                sleep(3000);
                // A: the same containers and networks, docker-java, same concurrency
                ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
                java.util.concurrent.atomic.AtomicLong netNanos = new java.util.concurrent.atomic.AtomicLong();
                java.util.concurrent.atomic.AtomicLong createNanos = new java.util.concurrent.atomic.AtomicLong();
                java.util.concurrent.atomic.AtomicLong startNanos = new java.util.concurrent.atomic.AtomicLong();
                long ta = System.nanoTime();
                List<Future<?>> fs = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    String name = runId + "-a" + r + "x" + i;
                    fs.add(pool.submit(() -> {
                        String net = name + "_default";
                        long c0 = System.nanoTime();
                        client.createNetworkCmd().withName(net).withDriver("bridge").withLabels(Map.of(LABEL, runId))
                                .withCheckDuplicate(true).exec();
                        long c1 = System.nanoTime();
                        String id = createContainer(name, net);
                        long c2 = System.nanoTime();
                        client.startContainerCmd(id).exec();
                        long c3 = System.nanoTime();
                        netNanos.addAndGet(c1 - c0);
                        createNanos.addAndGet(c2 - c1);
                        startNanos.addAndGet(c3 - c2);
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
                a.add(secs(System.nanoTime() - ta));
                notes.add("convergence N=" + n + " run " + r + ": A " + fmt(a.get(a.size() - 1)) + " s; summed seconds: create_network "
                        + fmt(netNanos.get() / 1e9) + ", create_container " + fmt(createNanos.get() / 1e9) + ", start_container "
                        + fmt(startNanos.get() / 1e9));
                pool.shutdown();
                cleanupDocker();
                sleep(3000);
                // B: docker-compose up -d of the same N services
                Path compose = work.resolve("compose-" + n + ".yml");
                StringBuilder y = new StringBuilder("version: \"2.4\"\nservices:\n");
                for (int i = 0; i < n; i++) {
                    y.append("  s").append(i).append(":\n    image: ").append(image)
                            .append("\n    command: [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n    init: true\n")
                            .append("    labels: {").append(LABEL).append(": \"").append(runId).append("\"}\n");
                }
                Files.writeString(compose, y.toString());
                String project = "bb" + runId + "p" + r;
                long tb = System.nanoTime();
                int rc = new ProcessBuilder("docker-compose", "-p", project, "-f", compose.toString(), "up", "-d")
                        .redirectErrorStream(true).redirectOutput(work.resolve("compose.log").toFile()).start().waitFor();
                b.add(secs(System.nanoTime() - tb));
                if (rc != 0) {
                    throw new IOException("docker-compose up failed; see " + work.resolve("compose.log"));
                }
                new ProcessBuilder("docker-compose", "-p", project, "-f", compose.toString(), "down", "-t", "1")
                        .redirectErrorStream(true).redirectOutput(work.resolve("compose-down.log").toFile()).start().waitFor();
                cleanupDocker();
                sleep(3000);
            }
        }
        rows.add(new Row("convergence N=" + n + ": Berth / A", new Stats(berth), new Stats(a),
                "A: docker-java, " + WORKERS + " threads", 1.10, " s", ""));
        rows.add(new Row("convergence N=" + n + ": Berth / B", new Stats(berth), new Stats(b),
                "B: docker-compose up -d", Double.NaN, " s", "compose makes one network for all services, Berth and A one per stack"));
    }

    // ---------------------------------------------------------------- helpers

    String newPrefix(String what) {
        String p = "/berth-bench-" + runId + "-" + what;
        prefixes.add(p);
        return p;
    }

    ResourceStore store(String prefix) {
        return new ResourceStore(kv, new KeyLayout(prefix), Kinds.standard(), new ManifestParser(Kinds.standard()));
    }

    String stackYaml(String name, String host, String extraService) {
        return """
                apiVersion: berth.dev/v1
                kind: Stack
                metadata:
                  name: %s
                spec:
                  placement:
                    hosts: [%s]
                  services:
                    - name: web
                      image: %s
                      command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
                      init: true
                %s---
                """.formatted(name, host, image, extraService.indent(4));
    }

    /** 100 stacks per etcd transaction (etcd takes at most 128 operations in one). */
    void applyStacks(ResourceStore store, List<String> names, String host) {
        for (int i = 0; i < names.size(); i += 100) {
            StringBuilder y = new StringBuilder();
            for (String n : names.subList(i, Math.min(names.size(), i + 100))) {
                y.append(stackYaml(n, host, ""));
            }
            apply(store, y.toString());
        }
    }

    void apply(ResourceStore store, String yaml) {
        ParseResult parsed = new ManifestParser(Kinds.standard()).parse("bench.yaml", yaml);
        if (!parsed.ok()) {
            throw new IllegalStateException("bench manifest invalid: " + parsed.errors());
        }
        List<Resource> rs = parsed.resources();
        store.apply(rs);
    }

    enum Ready { TRUE, FALSE, NONE }

    Ready statusReady(String prefix, String kind, String name, String host) {
        return kv.get(new KeyLayout(prefix).status(kind, name, host)).flatMap(v -> new StatusCodec().read(v.value()))
                .map(s -> s.ready() ? Ready.TRUE : Ready.FALSE).orElse(Ready.NONE);
    }

    int readyCount(String prefix, String host) {
        int ready = 0;
        StatusCodec codec = new StatusCodec();
        for (StoredValue v : kv.list(new KeyLayout(prefix).statusRoot() + "stack/").values()) {
            if (v.key().endsWith("/" + host) && codec.read(v.value()).map(s -> s.ready()).orElse(false)) {
                ready++;
            }
        }
        return ready;
    }

    List<Container> owned(String instance, String owner) {
        return client.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(BerthLabels.MANAGED_BY, instance, BerthLabels.OWNER, owner)).exec();
    }

    int floodEntries(String ns, String dev) {
        try {
            Process p = new ProcessBuilder("bridge", "-n", ns, "fdb", "show", "dev", dev).redirectErrorStream(true).start();
            String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            int c = 0;
            for (String line : o.split("\n")) {
                if (line.startsWith("00:00:00:00:00:00 ") && line.contains(" dst ")) {
                    c++;
                }
            }
            return c;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    /** Removes what this run made on the shared daemon: Berth's instances bb<run>*, and the baselines by label. */
    void cleanupDocker() {
        try {
            for (Container c : client.listContainersCmd().withShowAll(true).exec()) {
                Map<String, String> l = c.getLabels() == null ? Map.of() : c.getLabels();
                String mb = l.getOrDefault(BerthLabels.MANAGED_BY, "");
                if (runId.equals(l.get(LABEL)) || mb.startsWith("bb" + runId)) {
                    client.removeContainerCmd(c.getId()).withForce(true).exec();
                }
            }
            client.listNetworksCmd().exec().forEach(nw -> {
                Map<String, String> l = nw.getLabels() == null ? Map.of() : nw.getLabels();
                String mb = l.getOrDefault(BerthLabels.MANAGED_BY, "");
                if (runId.equals(l.get(LABEL)) || mb.startsWith("bb" + runId) || nw.getName().startsWith("bb" + runId)) {
                    try {
                        client.removeNetworkCmd(nw.getId()).exec();
                    } catch (RuntimeException e) {
                        System.out.println("cleanup: network " + nw.getName() + ": " + e.getMessage());
                    }
                }
            });
        } catch (RuntimeException e) {
            System.out.println("cleanup: " + e);
        }
    }

    /** Where the operator's time went between two scrapes: summed durations by Docker operation, reconcile, queue wait. */
    static String profile(Metrics a, Metrics b) {
        StringBuilder p = new StringBuilder("profile (summed seconds): ");
        Map<String, Double> d0 = a.byLabel("berth_docker_request_duration_seconds_sum", "operation");
        Map<String, Double> d1 = b.byLabel("berth_docker_request_duration_seconds_sum", "operation");
        Map<String, Double> c0 = a.byLabel("berth_docker_requests_total", "operation");
        Map<String, Double> c1 = b.byLabel("berth_docker_requests_total", "operation");
        d1.forEach((k, v) -> {
            double d = v - d0.getOrDefault(k, 0.0);
            if (d > 0.0005) {
                p.append("docker ").append(k).append(' ').append(fmt(d)).append(" (").append(fmt(c1.getOrDefault(k, 0.0)
                        - c0.getOrDefault(k, 0.0))).append(" calls); ");
            }
        });
        p.append("etcd ").append(fmt(b.sum("berth_etcd_request_duration_seconds_sum") - a.sum("berth_etcd_request_duration_seconds_sum")))
                .append(" (").append(fmt(b.sum("berth_etcd_requests_total") - a.sum("berth_etcd_requests_total"))).append(" calls); ");
        p.append("reconcile ").append(fmt(b.sum("berth_reconcile_time_seconds_sum", "controller=\"stack\"")
                - a.sum("berth_reconcile_time_seconds_sum", "controller=\"stack\""))).append(" (")
                .append(fmt(b.sum("berth_reconcile_time_seconds_count", "controller=\"stack\"")
                        - a.sum("berth_reconcile_time_seconds_count", "controller=\"stack\""))).append(" reconciles); ");
        p.append("queue wait ").append(fmt(b.sum("berth_workqueue_queue_duration_seconds_sum", "name=\"stack\"")
                - a.sum("berth_workqueue_queue_duration_seconds_sum", "name=\"stack\"")));
        p.append("; retries ").append(fmt(b.sum("berth_workqueue_retries_total") - a.sum("berth_workqueue_retries_total")));
        return p.toString();
    }

    static double delta(Map<String, Double> a, Map<String, Double> b, Predicate<String> which) {
        double d = 0;
        for (var e : b.entrySet()) {
            if (which.test(e.getKey())) {
                d += e.getValue() - a.getOrDefault(e.getKey(), 0.0);
            }
        }
        return d;
    }

    static double proxyDelta(Map<String, Long> a, Map<String, Long> b, Predicate<String> which) {
        double d = 0;
        for (var e : b.entrySet()) {
            if (which.test(e.getKey())) {
                d += e.getValue() - a.getOrDefault(e.getKey(), 0L);
            }
        }
        return d;
    }

    record Ev(String owner, String name, long nanos) {
    }

    /** Container start events of one label, with the time each arrived here. */
    static final class StartEvents implements AutoCloseable {
        final BlockingQueue<Ev> seen = new LinkedBlockingQueue<>();
        final List<Ev> backlog = new ArrayList<>();
        final ResultCallback.Adapter<Event> callback;

        StartEvents(DockerClient events, String label, String value) throws InterruptedException {
            callback = events.eventsCmd().withEventTypeFilter(EventType.CONTAINER).withEventFilter("start")
                    .withLabelFilter(Map.of(label, value)).exec(new ResultCallback.Adapter<>() {
                        @Override
                        public void onNext(Event e) {
                            long now = System.nanoTime();
                            Map<String, String> a = e.getActor() == null || e.getActor().getAttributes() == null
                                    ? Map.of() : e.getActor().getAttributes();
                            seen.add(new Ev(a.get(BerthLabels.OWNER), a.get("name"), now));
                        }
                    });
            callback.awaitStarted(10, TimeUnit.SECONDS);
        }

        Ev await(Predicate<Ev> which, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Ev e : backlog) {
                if (which.test(e)) {
                    backlog.remove(e);
                    return e;
                }
            }
            while (true) {
                long left = deadline - System.nanoTime();
                Ev e = seen.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new AssertionError("no matching start event within " + timeout);
                }
                if (which.test(e)) {
                    return e;
                }
                backlog.add(e);
            }
        }

        @Override
        public void close() throws IOException {
            callback.close();
        }
    }

    static void await(Duration timeout, String what, BooleanSupplier condition, long pollMs) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // retry until the deadline
            }
            sleep(pollMs);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void sh(String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + o);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    static int sh0(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    static double secs(long nanos) {
        return nanos / 1e9;
    }

    static String fmt(double d) {
        if (Double.isNaN(d)) {
            return "–";
        }
        if (Math.abs(d) >= 100) {
            return String.format(Locale.ROOT, "%.0f", d);
        }
        if (Math.abs(d) >= 10) {
            return String.format(Locale.ROOT, "%.1f", d);
        }
        return String.format(Locale.ROOT, "%.2f", d);
    }

    static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }

    String machine() {
        StringBuilder m = new StringBuilder();
        try {
            String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 2)).orElse("?");
            m.append("CPU: ").append(Runtime.getRuntime().availableProcessors()).append(" × ").append(cpu).append('\n');
            String mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
            m.append("Memory: ").append(mem).append('\n');
            m.append("Kernel: ").append(Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim()).append('\n');
            m.append("Java: ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version")).append('\n');
            m.append("Docker: ").append(client.versionCmd().exec().getVersion()).append(" (API ").append(DockerClients.API_VERSION)
                    .append("), storage ").append(client.infoCmd().exec().getDriver()).append('\n');
            m.append("etcd: ").append(etcdEndpoints);
        } catch (Exception e) {
            m.append("(machine description incomplete: ").append(e.getMessage()).append(')');
        }
        return m.toString();
    }

    void report() throws IOException {
        StringBuilder table = new StringBuilder();
        table.append("| figure | Berth: median [min–max, n] | baseline | baseline: median [min–max, n] | ratio | goal | note |\n");
        table.append("|---|---|---|---|---|---|---|\n");
        List<String> ratios = new ArrayList<>();
        for (Row r : rows) {
            table.append("| ").append(r.figure).append(" | ").append(r.berth.show(r.unit)).append(" | ")
                    .append(r.baselineName).append(" | ").append(r.baseline == null ? "" : r.baseline.show(r.unit)).append(" | ")
                    .append(Double.isNaN(r.ratio()) ? "" : fmt(r.ratio()) + "×").append(" | ").append(r.verdict())
                    .append(" | ").append(r.note.replace("|", "/")).append(" |\n");
            if (!Double.isNaN(r.ratio())) {
                ratios.add(r.figure.replaceAll(",? ?p50", "").replaceAll(":.*", "").trim() + " " + fmt(r.ratio()) + "×"
                        + (Double.isNaN(r.goal) ? "" : (r.ratio() <= r.goal ? " ok" : " MISSED")));
            }
        }
        String summary = "SUMMARY " + runId + ": " + String.join(" · ", ratios);
        System.out.println();
        System.out.println(table);
        notes.forEach(n -> System.out.println("note: " + n));
        loadLog.forEach(l -> System.out.println("load " + l));
        System.out.println(summary);
        StringBuilder md = new StringBuilder();
        md.append("## Run ").append(runId).append(" — ").append(Instant.now().toString(), 0, 19).append("Z\n\n");
        md.append("```\n").append(machine()).append("\n```\n\n");
        md.append("Load (1-min load average; CPU idle over a 2 s sample; quiet = load < 1.5 and idle ≥ 70 %):\n\n");
        loadLog.forEach(l -> md.append("- ").append(l).append('\n'));
        md.append('\n').append(table).append('\n');
        notes.forEach(n -> md.append("- ").append(n).append('\n'));
        md.append("\n`").append(summary).append("`\n\n");
        Files.writeString(work.resolve("results.md"), md.toString());
        System.out.println("results written to " + work.resolve("results.md") + " (operator logs in " + work + ")");
        if (out != null) {
            String existing = Files.exists(out) ? Files.readString(out) : "";
            String marker = "<!-- bench results below: newest first -->\n";
            if (!existing.contains(marker)) {
                existing = existing + (existing.isEmpty() ? "" : "\n") + marker;
            }
            int at = existing.indexOf(marker) + marker.length();
            Files.writeString(out, existing.substring(0, at) + "\n" + md + existing.substring(at));
            System.out.println("appended to " + out.toAbsolutePath());
        }
    }

    /** /proc/loadavg and a CPU idle sample. */
    record Load(double load1, double idlePct) {
        static Load sample() {
            try {
                double l1 = Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
                long[] a = cpu();
                Thread.sleep(2000);
                long[] b = cpu();
                double idle = 100.0 * (b[1] - a[1]) / Math.max(1, b[0] - a[0]);
                return new Load(l1, idle);
            } catch (IOException | InterruptedException e) {
                return new Load(Double.NaN, Double.NaN);
            }
        }

        private static long[] cpu() throws IOException {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        }

        boolean quiet() {
            return load1 < 1.5 && idlePct >= 70;
        }

        static Load awaitQuiet(int seconds) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            Load l = sample();
            while (!l.quiet() && System.nanoTime() < deadline) {
                sleep(8000);
                l = sample();
            }
            return l;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "load1 %.2f, CPU idle %.0f %%%s", load1, idlePct, quiet() ? " (quiet)" : " (BUSY)");
        }
    }
}
