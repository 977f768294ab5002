package dev.berth.bench;

import static dev.berth.bench.BenchSupport.await;
import static dev.berth.bench.BenchSupport.fmt;
import static dev.berth.bench.BenchSupport.profile;
import static dev.berth.bench.BenchSupport.secs;
import static dev.berth.bench.BenchSupport.sleep;

import dev.berth.crds.Kinds;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.ResourceStore;
import dev.berth.reconcilers.labels.BerthLabels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** N one-container stacks applied at once → all running and Ready; against docker-java (A) and docker-compose (B). */
final class ConvergenceFigure extends Figure {
    /** About three times the longest docker-compose up of N=100 seen (101 s, on a slower day of this machine). */
    private static final Duration COMPOSE_LIMIT = Duration.ofMinutes(5);

    private final int n;

    ConvergenceFigure(BenchRun bench, int n) {
        super(bench);
        this.n = n;
    }

    @Override
    void run() throws Exception {
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
                double dockerCpu0 = dockerCpu();
                double operatorCpu0 = op.cpuSeconds();
                long t0 = System.nanoTime();
                applyStacks(store, names, host);
                await(Duration.ofMinutes(10), n + " stacks Ready", () -> readyCount(prefix, host) >= n, 100);
                berth.add(secs(System.nanoTime() - t0));
                notes.add("convergence N=" + n + " run " + r + ": Berth " + fmt(berth.get(berth.size() - 1)) + " s; CPU seconds:"
                        + " dockerd+containerd " + fmt(dockerCpu() - dockerCpu0) + ", the operator " + fmt(op.cpuSeconds() - operatorCpu0)
                        + "; " + profile(pa, op.scrape()));
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
                double dockerCpuA = dockerCpu();
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
                notes.add("convergence N=" + n + " run " + r + ": A " + fmt(a.get(a.size() - 1)) + " s; CPU seconds: dockerd+containerd "
                        + fmt(dockerCpu() - dockerCpuA) + "; summed seconds: create_network "
                        + fmt(netNanos.get() / 1e9) + ", create_container " + fmt(createNanos.get() / 1e9) + ", start_container "
                        + fmt(startNanos.get() / 1e9));
                pool.shutdown();
                bench.cleanupDocker();
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
                Process up = new ProcessBuilder("docker-compose", "-p", project, "-f", compose.toString(), "up", "-d")
                        .redirectErrorStream(true).redirectOutput(work.resolve("compose.log").toFile()).start();
                // docker-compose 1.x now and then hangs in "Creating ..." with dockerd answering (seen at N=100 in runs
                // cc7296 and 913fa8): that run of B is dropped and said, the figure goes on.
                if (!up.waitFor(COMPOSE_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                    up.descendants().forEach(ProcessHandle::destroyForcibly);
                    up.destroyForcibly().waitFor();
                    notes.add("convergence N=" + n + " run " + r + ": B dropped, docker-compose up hung past "
                            + COMPOSE_LIMIT.toSeconds() + " s (dockerd answering; compose.log)");
                } else if (up.exitValue() != 0) {
                    throw new IOException("docker-compose up failed; see " + work.resolve("compose.log"));
                } else {
                    b.add(secs(System.nanoTime() - tb));
                }
                Process down = new ProcessBuilder("docker-compose", "-p", project, "-f", compose.toString(), "down", "-t", "1")
                        .redirectErrorStream(true).redirectOutput(work.resolve("compose-down.log").toFile()).start();
                if (!down.waitFor(COMPOSE_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                    down.descendants().forEach(ProcessHandle::destroyForcibly);
                    down.destroyForcibly().waitFor();
                }
                bench.cleanupDocker();
                sleep(3000);
            }
        }
        // Issue 21's goal (issue 9's was 1.10×, which the table went on judging by until round 9).
        rows.add(new Row("convergence N=" + n + ": Berth / A", new Stats(berth), new Stats(a),
                "A: docker-java, " + WORKERS + " threads", 1.05, " s", ""));
        rows.add(new Row("convergence N=" + n + ": Berth / B", new Stats(berth), new Stats(b),
                "B: docker-compose up -d", Double.NaN, " s", "compose makes one network for all services, Berth and A one per stack"));
    }

    /**
     * CPU seconds (user + system) env-up's dockerd and its children (containerd) have used so far: with the run's
     * summed call times, whether Berth's slower calls made Docker work more or wait more. NaN if unreadable.
     */
    private static double dockerCpu() {
        try {
            long dockerd = Long.parseLong(Files.readString(
                    Path.of(System.getenv().getOrDefault("BERTH_RUN_DIR", "/run/berth-env"), "dockerd.pid")).trim());
            double cpu = ProcStat.of(dockerd).cpuSeconds();
            for (ProcessHandle child : ProcessHandle.of(dockerd).map(h -> h.children().toList()).orElse(List.of())) {
                cpu += ProcStat.of(child.pid()).cpuSeconds();
            }
            return cpu;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
