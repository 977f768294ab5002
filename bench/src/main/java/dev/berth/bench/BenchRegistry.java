package dev.berth.bench;

import static dev.berth.bench.BenchSupport.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Debian's docker-registry (distribution 2.8) on loopback, plain HTTP and no login: Docker trusts 127.0.0.0/8
 * without TLS, and the figure measures pulls, not TLS handshakes (the tests cover TLS and logins).
 */
final class BenchRegistry implements AutoCloseable {
    final String host;
    private final Process process;

    BenchRegistry(Path work) throws IOException {
        this(work, "127.0.0.1");
    }

    /** Listening on {@code address} (loopback, or a bed's underlay address in the root namespace). */
    BenchRegistry(Path work, String address) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        host = address + ":" + port;
        Path dir = Files.createDirectories(work.resolve("registry-" + address));
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: %s
                """.formatted(dir.resolve("data"), host));
        process = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        await(Duration.ofSeconds(30), "the registry on " + host, () -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://" + host + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException | InterruptedException e) {
                return false;
            }
        }, 100);
    }

    @Override
    public void close() {
        process.destroy();
    }

    /**
     * Builds on {@code dockerHost} an image of {@code base} plus a fresh random layer of {@code layerBytes}, pushes it
     * as {@code ref} (a name in this registry) and removes it there again: the next pull of it is a real one.
     */
    static void pushFresh(String dockerHost, String base, String ref, int layerBytes) throws IOException {
        Process p = new ProcessBuilder("docker", "-H", dockerHost, "build", "-q", "-t", ref, "-").redirectErrorStream(true)
                .start();
        p.getOutputStream().write(("FROM " + base + "\nRUN head -c " + layerBytes + " /dev/urandom > /blob\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException("docker build failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        BenchSupport.sh("docker", "-H", dockerHost, "push", "-q", ref);
        BenchSupport.sh0("docker", "-H", dockerHost, "rmi", ref);
    }
}
