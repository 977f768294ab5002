package dev.berth.operator.reliability;

import dev.berth.operator.Await;
import dev.berth.operator.FreePorts;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A three-member etcd cluster of the test's own (Debian's etcd, three processes on loopback, free ports, each member
 * with its data directory in one temporary folder), whose members the test SIGKILLs and starts again with their data:
 * the shared etcd of the test run must never be killed or compacted.
 */
public final class EtcdCluster implements AutoCloseable {
    private static final Duration START_WAIT = Duration.ofSeconds(60);
    private static final Pattern MEMBER_ID = Pattern.compile("\"member_id\":(\\d+)");
    private static final Pattern LEADER = Pattern.compile("\"leader\":(\\d+)");
    private static final Pattern REVISION = Pattern.compile("\"revision\":(\\d+)");

    private final Path dir;
    private final List<Member> members = new ArrayList<>();

    /** One member: its ports and data directory never change, so a restart finds its data and its peers. */
    private static final class Member {
        final String name;
        final int clientPort;
        final int peerPort;
        Process process;

        Member(String name, int clientPort, int peerPort) {
            this.name = name;
            this.clientPort = clientPort;
            this.peerPort = peerPort;
        }

        String endpoint() {
            return "http://127.0.0.1:" + clientPort;
        }

        String peer() {
            return "http://127.0.0.1:" + peerPort;
        }
    }

    public EtcdCluster() throws IOException {
        dir = Files.createTempDirectory("berth-etcd-cluster-");
        int[] ports = FreePorts.distinct(6);
        for (int i = 0; i < 3; i++) {
            members.add(new Member("m" + i, ports[2 * i], ports[2 * i + 1]));
        }
    }

    /** Starts every member and waits until the cluster has a leader and answers on every endpoint. */
    public void start() throws IOException {
        for (int i = 0; i < members.size(); i++) {
            launch(i);
        }
        awaitHealthy();
    }

    /** All client endpoints, comma-separated, as {@code --etcd-endpoints} takes them. */
    public String endpoints() {
        return members.stream().map(Member::endpoint).collect(Collectors.joining(","));
    }

    public String endpoint(int member) {
        return members.get(member).endpoint();
    }

    public int size() {
        return members.size();
    }

    /** SIGKILLs a member: no goodbye to its peers or clients, as a crash or a power cut would. */
    public void kill(int member) throws InterruptedException {
        Member m = members.get(member);
        if (m.process != null) {
            m.process.destroyForcibly();
            if (!m.process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("etcd member " + m.name + " did not die on SIGKILL");
            }
            m.process = null;
        }
    }

    /** SIGKILLs every member. */
    public void killAll() throws InterruptedException {
        for (int i = 0; i < members.size(); i++) {
            kill(i);
        }
    }

    /** Starts a killed member again with its data, and waits until the cluster is healthy on every endpoint. */
    public void restart(int member) throws IOException {
        launch(member);
        awaitHealthy();
    }

    /** Starts every killed member again with its data and waits for a healthy cluster. */
    public void restartAll() throws IOException {
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).process == null) {
                launch(i);
            }
        }
        awaitHealthy();
    }

    /**
     * The index of the member that leads now. A member that does not answer (just restarted, or slow on a loaded
     * machine) is skipped, and the question asked again until one says it leads or 30 s passed.
     */
    public int leader() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        IOException last = null;
        do {
            for (int i = 0; i < members.size(); i++) {
                String status;
                try {
                    status = etcdctlAt(endpoint(i), "endpoint", "status", "-w", "json");
                } catch (IOException e) {
                    last = e;
                    continue;
                }
                Matcher id = MEMBER_ID.matcher(status);
                Matcher leader = LEADER.matcher(status);
                if (id.find() && leader.find() && id.group(1).equals(leader.group(1))) {
                    return i;
                }
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException("no member of " + endpoints() + " says it leads within 30 s"
                + (last == null ? "" : "; last error: " + last.getMessage()));
    }

    /** The store's current revision. */
    public long revision() throws IOException, InterruptedException {
        Matcher m = REVISION.matcher(etcdctl("endpoint", "status", "-w", "json"));
        long highest = 0;
        while (m.find()) {
            highest = Math.max(highest, Long.parseLong(m.group(1)));
        }
        return highest;
    }

    /** Compacts the history up to {@code revision}: watches behind it get "compacted" and must re-list. */
    public void compact(long revision) throws IOException, InterruptedException {
        // Right after a member was killed the others may still be electing a leader ("etcdserver: request timed
        // out"): asked again until 30 s passed.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                etcdctl("compaction", Long.toString(revision));
                return;
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().contains("compacted")) {
                    return; // already compacted past it: what was asked holds
                }
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(1000);
            }
        }
    }

    /** Runs etcdctl against the members that run now (v3 API). */
    public String etcdctl(String... args) throws IOException, InterruptedException {
        String running = members.stream().filter(m -> m.process != null).map(Member::endpoint)
                .collect(Collectors.joining(","));
        return etcdctlAt(running.isEmpty() ? endpoints() : running, args);
    }

    private String etcdctlAt(String endpoints, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoints, "--dial-timeout", "5s",
                "--command-timeout", "20s"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // etcdctl refuses a flag that its environment also sets (the test environment exports ETCDCTL_ENDPOINTS).
        builder.environment().keySet().removeIf(k -> k.startsWith("ETCDCTL_"));
        builder.environment().put("ETCDCTL_API", "3");
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(40, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("etcdctl " + String.join(" ", args) + " at " + endpoints + " failed: " + out.strip());
        }
        return out;
    }

    private void launch(int index) throws IOException {
        Member m = members.get(index);
        String cluster = members.stream().map(o -> o.name + "=" + o.peer()).collect(Collectors.joining(","));
        // The initial-cluster flags only matter on the first start: a restarted member reads its peers from its data.
        m.process = new ProcessBuilder("etcd", "--name", m.name, "--data-dir", dir.resolve(m.name).toString(),
                "--listen-client-urls", m.endpoint(), "--advertise-client-urls", m.endpoint(),
                "--listen-peer-urls", m.peer(), "--initial-advertise-peer-urls", m.peer(),
                "--initial-cluster", cluster, "--initial-cluster-token", dir.getFileName().toString(),
                "--initial-cluster-state", "new")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(m.name + ".log").toFile()))
                .start();
    }

    private void awaitHealthy() {
        List<String> running = IntStream.range(0, members.size()).filter(i -> members.get(i).process != null)
                .mapToObj(this::endpoint).toList();
        Await.until(START_WAIT, "etcd cluster healthy on " + running, () -> {
            try {
                etcdctlAt(String.join(",", running), "endpoint", "health");
                return true;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    /** Where the members' logs are, for a failing test's message. */
    public File logs() {
        return dir.toFile();
    }


    @Override
    public void close() throws Exception {
        killAll();
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
