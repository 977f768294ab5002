package dev.berth.bench;

import static dev.berth.bench.BenchSupport.await;
import static dev.berth.bench.BenchSupport.delta;
import static dev.berth.bench.BenchSupport.env;
import static dev.berth.bench.BenchSupport.fmt;
import static dev.berth.bench.BenchSupport.proxyDelta;
import static dev.berth.bench.BenchSupport.secs;
import static dev.berth.bench.BenchSupport.sleep;

import dev.berth.operator.store.ResourceStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** 500 stacks converged, then the idle operator through several resyncs: calls per resync, etcd/min, CPU/min, RSS. */
final class SteadyFigure extends Figure {
    SteadyFigure(BenchRun bench) {
        super(bench);
    }

    /** When the second CPU window starts, counted from all stacks Ready, and how long it lasts. */
    private static final int LATE_MINUTES = 5;
    private static final int LATE_WINDOW_SECONDS = 120;

    /** The operator's JIT compile time so far, in seconds. */
    private static double compileSeconds(Metrics m) {
        return m.sum("jvm_compilation_time_seconds_total");
    }

    @Override
    void run() throws Exception {
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
            long readyAt = System.nanoTime();
            double convergeS = secs(readyAt - t0);
            System.out.printf(Locale.ROOT, "steady: %d containers Ready in %.1f s%n", n, convergeS);
            notes.add("steady state: 500 containers converged in " + fmt(convergeS) + " s (4 workers; one-off, not a benchmark figure)");
            sleep(15_000); // let the last status writes and backoffs settle
            // Sample at every resync: per-resync deltas of the operator's counters and of the proxy.
            List<Metrics> snaps = new ArrayList<>();
            List<Map<String, Long>> proxySnaps = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            // One scrape per resync period, half a period after a resync (its reconciles finish well within that):
            // a scrape costs the operator CPU too, and Prometheus scrapes every 15 s, not 4 times a second.
            double lastResync = op.scrape().sum("berth_resyncs_total");
            while (op.scrape().sum("berth_resyncs_total") == lastResync) {
                sleep(250);
            }
            sleep(resync * 1000L / 2);
            Metrics first = op.scrape();
            long windowStart = System.nanoTime();
            double cpuStart = op.cpuSeconds();
            Metrics windowFirst = first;
            Map<String, Long> proxyFirst = proxy.snapshot();
            long next = System.nanoTime();
            while (System.nanoTime() - windowStart < TimeUnit.SECONDS.toNanos(75)) {
                snaps.add(op.scrape());
                proxySnaps.add(proxy.snapshot());
                cpu.add(op.cpuSeconds());
                times.add(System.nanoTime());
                next += TimeUnit.SECONDS.toNanos(resync);
                sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime())));
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
            Set<String> mutating = Set.of("create_container", "start_container", "rename_container", "stop_container", "remove_container",
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
            double compiled = compileSeconds(last) - compileSeconds(windowFirst);
            // The same operator later: the JIT compiles for minutes after start, which the first window pays.
            sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(readyAt + TimeUnit.MINUTES.toNanos(LATE_MINUTES)
                    - System.nanoTime())));
            Metrics lateFirst = op.scrape();
            double lateCpuStart = op.cpuSeconds();
            long lateStart = System.nanoTime();
            sleep(TimeUnit.SECONDS.toMillis(LATE_WINDOW_SECONDS));
            double lateMinutes = (System.nanoTime() - lateStart) / 60e9;
            double lateCpu = (op.cpuSeconds() - lateCpuStart) / lateMinutes;
            Metrics lateLast = op.scrape();
            rows.add(new Row("steady: CPU time per minute, " + LATE_MINUTES + " min after Ready (s of CPU / min)",
                    new Stats(List.of(lateCpu)), null, "", Double.NaN, " s", "JIT compiling: "
                    + fmt((compileSeconds(lateLast) - compileSeconds(lateFirst)) / lateMinutes) + " s/min (in the first"
                    + " window: " + fmt(compiled / minutes) + " s/min); " + LATE_WINDOW_SECONDS + " s window"));
            notes.add("steady state, counting proxy over the same window (all requests, not per resync): " + proxyDeltaAll);
        }
    }
}
