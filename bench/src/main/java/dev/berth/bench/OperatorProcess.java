package dev.berth.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * `bin/berth operator …` (the launcher, with the JVM settings Berth ships) as a process of its own, so RSS and CPU
 * time are the operator's alone. The launcher execs java: the process is the JVM.
 */
final class OperatorProcess implements AutoCloseable {
    /** The launcher, from the repository's root (where scripts/bench.sh runs the benchmark). */
    static final Path LAUNCHER = Path.of("bin/berth");

    final Process process;
    final int port;
    final Path log;
    /** Where its metrics and health are served. */
    private final String listenHost;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    OperatorProcess(Path berthJar, String host, String instance, String prefix, String dockerHost, String etcd,
                    int resyncSeconds, int workers, Path log, String... extra) throws IOException {
        this(List.of(), "127.0.0.1", freePort(), berthJar, host, instance, prefix, dockerHost, etcd, resyncSeconds, workers,
                log, extra);
    }

    /**
     * The operator started by {@code launcher} (e.g. nsenter into a host's namespace, as on a real host), serving
     * metrics and health on {@code listenHost:port}.
     */
    OperatorProcess(List<String> launcher, String listenHost, int port, Path berthJar, String host, String instance,
                    String prefix, String dockerHost, String etcd, int resyncSeconds, int workers, Path log,
                    String... extra) throws IOException {
        this(Map.of(), launcher, listenHost, port, berthJar, host, instance, prefix, dockerHost, etcd, resyncSeconds,
                workers, log, extra);
    }

    /** @param env added to the launcher's environment, e.g. BERTH_OPERATOR_JVM to measure other JVM settings */
    OperatorProcess(Map<String, String> env, List<String> launcher, String listenHost, int port, Path berthJar,
                    String host, String instance, String prefix, String dockerHost, String etcd, int resyncSeconds,
                    int workers, Path log, String... extra) throws IOException {
        this.port = port;
        this.listenHost = listenHost;
        this.log = log;
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(List.of(LAUNCHER.toAbsolutePath().toString(), "operator", "--host", host,
                "--instance", instance, "--prefix", prefix, "--docker-host", dockerHost, "--etcd-endpoints", etcd,
                "--listen", listenHost + ":" + port, "--resync", String.valueOf(resyncSeconds),
                "--workers", String.valueOf(workers), "--api-off",
                // Several operators of one figure run on this machine at once: each keeps its files apart.
                "--state-dir", log.resolveSibling("state-" + instance + "-" + host).toString()));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("BERTH_JAR", berthJar.toString());
        pb.environment().putAll(env);
        process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("operator exited " + process.exitValue() + "; see " + log);
            }
            try {
                if (get("/readyz").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            BenchSupport.sleep(200);
        }
        throw new IOException("operator not ready within 90 s; see " + log);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private HttpResponse<String> get(String path) throws IOException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://" + listenHost + ":" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    Metrics scrape() throws IOException {
        return new Metrics(get("/metrics").body());
    }

    /** Waits until the stack controller has had {@code n} keys added: the operator listed that many stacks. */
    void awaitStacksListed(int n) {
        BenchSupport.await(Duration.ofSeconds(60), n + " stacks listed", () -> {
            try {
                return scrape().sum("berth_workqueue_adds_total", "name=\"stack\"") >= n;
            } catch (IOException e) {
                return false;
            }
        }, 500);
    }

    long pid() {
        return process.pid();
    }

    /** Resident set size in KiB (VmRSS). */
    long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** utime + stime of the process (all threads), in seconds (clock ticks of 1/100 s). */
    double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after the ")": state(0) ... utime is field 14 of the full line = index 11 here, stime index 12
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
