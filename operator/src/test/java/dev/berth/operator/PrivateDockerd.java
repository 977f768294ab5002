package dev.berth.operator;

import com.github.dockerjava.api.DockerClient;
import dev.berth.reconcilers.docker.DockerClients;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A dockerd of the test's own, in a network namespace of its own (started with nsenter, which keeps the
 * cgroup mounts visible), so its bridge and iptables rules never touch the shared daemon's. For tests that
 * restart the daemon; it gets the test image copied from the shared daemon.
 */
public final class PrivateDockerd implements AutoCloseable {
    private final Path dataRoot;
    private final Path execRoot;
    private final String socket;
    private final String netns;
    private Process process;

    private final boolean ownsNetns;

    /** A dockerd in a network namespace of its own, made here and deleted by close(). */
    public PrivateDockerd() throws IOException {
        this(null);
    }

    /** A dockerd in the given, existing network namespace (the caller deletes it); null makes one. */
    public PrivateDockerd(String existingNetns) throws IOException {
        dataRoot = Files.createTempDirectory("berth-dockerd-");
        String id = dataRoot.getFileName().toString().replace("berth-dockerd-", "");
        // exec-root and socket paths must stay short (unix socket paths are limited to 108 bytes).
        execRoot = Path.of("/run/bt-" + id);
        socket = "unix:///run/bt-" + id + ".sock";
        ownsNetns = existingNetns == null;
        netns = ownsNetns ? "bt-" + id : existingNetns;
        if (ownsNetns) {
            run("ip", "netns", "add", netns);
            run("ip", "-n", netns, "link", "set", "lo", "up");
        }
    }

    public static void run(String... command) throws IOException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    public String host() {
        return socket;
    }

    /**
     * Starts dockerd and waits until it answers. On a loaded machine a restarted dockerd may give up on its containerd
     * (it exits with "failed to start containerd: timeout waiting for containerd to start" while containerd reconnects
     * to the shims the previous run left); a host's service manager starts it again (docker.service has
     * Restart=always), and so does this, up to {@link #START_ATTEMPTS} times.
     */
    public void start() throws IOException {
        for (int attempt = 1; ; attempt++) {
            Process started = new ProcessBuilder("nsenter", "--net=/var/run/netns/" + netns, "dockerd",
                    "--data-root", dataRoot.resolve("data").toString(),
                    "--exec-root", execRoot.toString(), "--host", socket, "--pidfile", execRoot + ".pid")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dataRoot.resolve("dockerd.log").toFile())).start();
            process = started;
            Await.until(Duration.ofSeconds(90), "private dockerd on " + socket + " (attempt " + attempt + ")",
                    () -> !started.isAlive() || answers(), () -> "running; log: " + logTail());
            if (started.isAlive()) {
                return;
            }
            if (attempt == START_ATTEMPTS) {
                throw new IOException("private dockerd on " + socket + " exited " + started.exitValue() + " "
                        + attempt + " times; log: " + logTail());
            }
        }
    }

    private static final int START_ATTEMPTS = 3;

    private boolean answers() {
        try (DockerClient client = DockerClients.connect(socket)) {
            client.pingCmd().exec();
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The last lines dockerd wrote (every start of this daemon appends to one log). */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(dataRoot.resolve("dockerd.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }

    public void copyImageFrom(String sharedHost, String image) throws IOException {
        try (DockerClient shared = DockerClients.connect(sharedHost); DockerClient mine = DockerClients.connect(socket);
             InputStream tar = shared.saveImageCmd(image).exec()) {
            mine.loadImageCmd(tar).exec();
        }
    }

    /** Stops dockerd gracefully (SIGTERM), as a package upgrade or a restart of the service would. */
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    /**
     * SIGKILLs dockerd (a crash, the OOM killer): no container is stopped, they keep running under their shims until
     * the next start restores them. nsenter execs dockerd, so the process is dockerd itself.
     */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
            process = null;
        }
    }

    /** Every container on this daemon is the test's own: removed, so dockerd's stop leaves no shim behind. */
    private void removeEveryContainer() {
        if (process == null) {
            return;
        }
        try (DockerClient client = DockerClients.connect(socket)) {
            for (var c : client.listContainersCmd().withShowAll(true).exec()) {
                try {
                    client.removeContainerCmd(c.getId()).withForce(true).exec();
                } catch (RuntimeException e) {
                    // a container dockerd cannot remove (its mount busy after a crash): its shim is killed below
                }
            }
        } catch (Exception e) {
            // dockerd not answering: the shims are killed below all the same
        }
    }

    /**
     * Shims of containers this daemon's own containerd started (a crash or kill mid-create leaves some that no daemon
     * will ever stop): found by their containerd address under this exec root, killed with their containers.
     */
    private void killLeftOverShims() throws IOException, InterruptedException {
        String address = execRoot.resolve("containerd").toString();
        new ProcessBuilder("sh", "-c", "for p in $(pgrep -f -- '-address " + address + "/'); do pkill -9 -P $p; kill -9 $p;"
                + " done; true").start().waitFor();
    }

    @Override
    public void close() throws Exception {
        removeEveryContainer();
        stop();
        killLeftOverShims();
        new ProcessBuilder("rm", "-rf", dataRoot.toString(), execRoot.toString(), execRoot + ".pid").start().waitFor();
        if (ownsNetns) {
            run("ip", "netns", "delete", netns);
        }
    }
}
