package dev.berth.operator;

import com.github.dockerjava.api.DockerClient;
import dev.berth.reconcilers.docker.DockerClients;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A dockerd of the test's own (no docker0 bridge, no iptables, so it cannot disturb the shared one), for
 * tests that restart the daemon. It gets the test image copied from the shared daemon.
 */
public final class PrivateDockerd implements AutoCloseable {
    private final Path dataRoot;
    private final Path execRoot;
    private final String socket;
    private Process process;

    public PrivateDockerd() throws IOException {
        dataRoot = Files.createTempDirectory("berth-dockerd-");
        String id = dataRoot.getFileName().toString().replace("berth-dockerd-", "");
        // exec-root and socket paths must stay short (unix socket paths are limited to 108 bytes).
        execRoot = Path.of("/run/bt-" + id);
        socket = "unix:///run/bt-" + id + ".sock";
    }

    public String host() {
        return socket;
    }

    public void start() throws IOException {
        process = new ProcessBuilder("dockerd", "--data-root", dataRoot.resolve("data").toString(),
                "--exec-root", execRoot.toString(), "--host", socket, "--pidfile", execRoot + ".pid",
                "--bridge=none", "--iptables=false", "--ip-masq=false")
                .redirectErrorStream(true).redirectOutput(dataRoot.resolve("dockerd.log").toFile()).start();
        Await.until(Duration.ofSeconds(60), "private dockerd on " + socket, () -> {
            try (DockerClient client = DockerClients.connect(socket)) {
                client.pingCmd().exec();
                return true;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        });
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

    @Override
    public void close() throws Exception {
        stop();
        new ProcessBuilder("rm", "-rf", dataRoot.toString(), execRoot.toString(), execRoot + ".pid").start().waitFor();
    }
}
