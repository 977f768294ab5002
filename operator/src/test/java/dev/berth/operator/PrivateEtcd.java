package dev.berth.operator;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * An etcd process of the test's own (Debian's etcd binary), for tests that stop etcd or compact it:
 * compaction is cluster-wide and stopping the shared one would disturb other tests.
 */
public final class PrivateEtcd implements AutoCloseable {
    private final Path dataDir;
    private final int clientPort;
    private final int peerPort;
    private final java.util.List<String> flags;
    private Process process;

    public PrivateEtcd() throws IOException {
        this(java.util.List.of());
    }

    /** @param flags more of etcd's flags (e.g. {@code --enable-grpc-gateway=false}) */
    public PrivateEtcd(java.util.List<String> flags) throws IOException {
        dataDir = Files.createTempDirectory("berth-etcd-");
        int[] ports = FreePorts.distinct(2);
        clientPort = ports[0];
        peerPort = ports[1];
        this.flags = java.util.List.copyOf(flags);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    public void start() throws IOException {
        String peer = "http://127.0.0.1:" + peerPort;
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("etcd", "--name", "private",
                "--data-dir", dataDir.resolve("data").toString(),
                "--listen-client-urls", endpoint(), "--advertise-client-urls", endpoint(),
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "private=" + peer));
        command.addAll(flags);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("etcd.log").toFile())
                .start();
        Await.until(Duration.ofSeconds(30), "private etcd on " + endpoint(), () -> {
            try {
                ProcessBuilder builder = new ProcessBuilder("etcdctl", "--endpoints", endpoint(), "--dial-timeout", "1s",
                        "endpoint", "health").redirectErrorStream(true).redirectOutput(new File("/dev/null"));
                withoutEtcdctlEnv(builder);
                Process check = builder.start();
                return check.waitFor(5, TimeUnit.SECONDS) && check.exitValue() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    /** Runs etcdctl against this etcd (v3 API). */
    public String etcdctl(String... args) throws IOException, InterruptedException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("etcdctl", "--endpoints", endpoint()));
        command.addAll(java.util.List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        withoutEtcdctlEnv(builder);
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("etcdctl " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    /** etcdctl refuses a flag that its environment also sets (the test environment exports ETCDCTL_ENDPOINTS). */
    private static void withoutEtcdctlEnv(ProcessBuilder builder) {
        builder.environment().keySet().removeIf(k -> k.startsWith("ETCDCTL_"));
        builder.environment().put("ETCDCTL_API", "3");
    }


    @Override
    public void close() throws Exception {
        stop();
        try (var walk = Files.walk(dataDir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
