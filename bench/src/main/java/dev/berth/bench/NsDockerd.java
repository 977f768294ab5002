package dev.berth.bench;

import static dev.berth.bench.BenchSupport.await;
import static dev.berth.bench.BenchSupport.sh;
import static dev.berth.bench.BenchSupport.sh0;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.berth.reconcilers.docker.DockerClients;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A Docker host of a benchmark bed: a network namespace with a dockerd of its own (started with nsenter), the
 * benchmark image loaded from the shared daemon, and optionally a veth {@code ul0} to an underlay bridge in the root
 * namespace. close() removes the containers, the dockerd, its files and the namespace (the veth goes with it).
 */
final class NsDockerd implements AutoCloseable {
    final String ns;
    final String sock;
    private final String exec;
    private final Path data;
    private final Path log;
    private Process dockerd;
    private java.util.List<String> command;
    DockerClient client;
    /** The namespace's underlay address, once {@link #underlay} made one. */
    String underlayIp;

    NsDockerd(String ns, String sock, String exec, Path data, Path log) {
        this.ns = ns;
        this.sock = sock;
        this.exec = exec;
        this.data = data;
        this.log = log;
    }

    void start(DockerClient imageSource, String image) throws IOException {
        start(imageSource, image, java.util.List.of());
    }

    /** With extra dockerd options (e.g. {@code --insecure-registry ADDR:PORT} for a bench registry on the underlay). */
    void start(DockerClient imageSource, String image, java.util.List<String> dockerdOptions) throws IOException {
        sh("ip", "netns", "add", ns);
        sh("ip", "-n", ns, "link", "set", "lo", "up");
        Files.createDirectories(data);
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("nsenter", "--net=/var/run/netns/" + ns,
                "dockerd", "--data-root", data.resolve("data").toString(), "--exec-root", exec, "--host",
                "unix://" + sock, "--pidfile", exec + ".pid"));
        cmd.addAll(dockerdOptions);
        command = java.util.List.copyOf(cmd);
        launch();
        try (InputStream tar = imageSource.saveImageCmd(image).exec()) {
            client.loadImageCmd(tar).exec();
        }
    }

    private void launch() throws IOException {
        dockerd = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        await(Duration.ofSeconds(120), "private dockerd " + ns, () -> {
            try (DockerClient c = DockerClients.connect("unix://" + sock)) {
                c.pingCmd().exec();
                return true;
            } catch (Exception e) {
                return false;
            }
        }, 300);
        client = DockerClients.connect("unix://" + sock);
    }

    /** Where this dockerd keeps its sandboxes' network namespaces (Swarm's overlay ones among them). */
    Path netnsDir() {
        return Path.of(exec, "netns");
    }

    long pid() {
        return dockerd.pid();
    }

    /**
     * The host dies: SIGKILL, at once, of everything in its namespace (dockerd, its containerd and shims, an operator
     * started there) and of its containers, so that nothing of it reports or cleans up on the way out. Returns the
     * {@link BenchSupport#epochNanos} of the kill (finding the processes comes before it).
     */
    long crash() throws IOException, InterruptedException {
        java.util.List<String> pids = new java.util.ArrayList<>();
        for (Container c : client.listContainersCmd().exec()) {
            Integer pid = client.inspectContainerCmd(c.getId()).exec().getState().getPid();
            if (pid != null && pid > 0) {
                pids.add(String.valueOf(pid));
            }
        }
        Process p = new ProcessBuilder("ip", "netns", "pids", ns).redirectErrorStream(true).start();
        String own = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("kill", "-9"));
        cmd.addAll(java.util.Arrays.stream(own.split("\\s+")).filter(s -> !s.isBlank()).toList());
        cmd.addAll(pids);
        long at = BenchSupport.epochNanos();
        sh0(cmd.toArray(String[]::new));
        dockerd.waitFor(30, TimeUnit.SECONDS);
        try {
            client.close();
        } catch (IOException e) {
            // the daemon is gone
        }
        client = null;
        return at;
    }

    /** The host comes back after {@link #crash}: the same dockerd on the same data (a swarm node rejoins by itself). */
    void restart() throws IOException {
        launch();
    }

    /** A veth {@code veth} in the root namespace on {@code bridge}, {@code ul0} with {@code ip}/24 in this one. */
    void underlay(String bridge, String veth, String ip) throws IOException {
        sh("ip", "link", "add", veth, "type", "veth", "peer", "name", "ul0", "netns", ns);
        sh("ip", "link", "set", veth, "master", bridge, "up");
        sh("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "ul0");
        sh("ip", "-n", ns, "link", "set", "ul0", "up");
        underlayIp = ip;
    }

    void removeContainers() {
        for (Container c : client.listContainersCmd().withShowAll(true).exec()) {
            client.removeContainerCmd(c.getId()).withForce(true).exec();
        }
    }

    @Override
    public void close() {
        if (client != null) {
            try {
                removeContainers();
                client.close();
            } catch (Exception e) {
                System.out.println("cleanup " + ns + ": " + e);
            }
        }
        if (dockerd != null) {
            dockerd.destroy();
            try {
                if (!dockerd.waitFor(60, TimeUnit.SECONDS)) {
                    dockerd.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // A dockerd that died uncleanly leaves its sandboxes' namespace files mounted below the exec root.
        try {
            for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
                String mnt = line.split(" ")[1];
                if (mnt.startsWith(exec + "/") || mnt.startsWith(data + "/")) {
                    sh0("umount", "-l", mnt);
                }
            }
        } catch (IOException e) {
            System.out.println("cleanup " + ns + ": " + e);
        }
        sh0("ip", "netns", "delete", ns);
        sh0("rm", "-rf", data.toString(), exec, exec + ".pid", sock);
    }
}
