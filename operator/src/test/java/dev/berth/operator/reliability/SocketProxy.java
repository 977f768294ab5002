package dev.berth.operator.reliability;

import dev.berth.operator.FreePorts;
import dev.berth.operator.Await;
import dev.berth.operator.TestEnv;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's HAProxy running the repository's {@code charts/deploy/socket-proxy.cfg} unchanged, on a free loopback
 * port, in front of the test run's dockerd socket. It keeps every request line the configuration logs (status, the
 * rule that let it through or "-", method, path), so a test can say which calls Berth made and which were refused.
 */
final class SocketProxy implements AutoCloseable {
    private static final Pattern LINE = Pattern.compile("^berth-proxy (\\d{3}) (\\S+) (\\S+) (\\S+)$");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    /** One request as the proxy logged it; {@code rule} is empty when the proxy refused it. */
    record Request(int status, String rule, String method, String path) {
        boolean refusedByProxy() {
            return rule.isEmpty() && status == 403;
        }
    }

    private final Process process;
    private final int port;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SocketProxy(Process process, int port) {
        this.process = process;
        this.port = port;
        Thread reader = new Thread(this::read, "socket-proxy-log");
        reader.setDaemon(true);
        reader.start();
    }

    /** Started with the documented defaults plus these environment settings (e.g. {@code BERTH_EXEC=1}). */
    static SocketProxy start(Map<String, String> settings) throws IOException {
        int port = FreePorts.one();
        ProcessBuilder pb = new ProcessBuilder("haproxy", "-db", "-f", config().toString()).redirectErrorStream(true);
        pb.environment().put("BERTH_PROXY_BIND", "127.0.0.1:" + port);
        pb.environment().put("BERTH_DOCKER_SOCKET", socketPath(TestEnv.dockerHost()));
        pb.environment().remove("BERTH_EXEC");
        pb.environment().remove("BERTH_PRIVILEGED");
        pb.environment().putAll(settings);
        SocketProxy proxy = new SocketProxy(pb.start(), port);
        try {
            Await.until(START_TIMEOUT, "HAProxy answering /_ping on 127.0.0.1:" + port,
                    () -> proxy.process.isAlive() && proxy.pingAnswers(), () -> String.join("\n", proxy.output));
        } catch (RuntimeException | AssertionError e) {
            proxy.close();
            throw e;
        }
        return proxy;
    }

    /** The repository's configuration, found above the module's directory. */
    static Path config() {
        return deployFile("socket-proxy.cfg");
    }

    static Path deployFile(String name) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("charts").resolve("deploy").resolve(name);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("charts/deploy/" + name + " not found above " + Path.of("").toAbsolutePath());
    }

    private static String socketPath(String dockerHost) {
        if (!dockerHost.startsWith("unix://")) {
            throw new IllegalStateException("the test's Docker host is not a unix socket: " + dockerHost);
        }
        return dockerHost.substring("unix://".length());
    }


    private boolean pingAnswers() {
        try {
            return send("GET", "/_ping", null).statusCode() == 200;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /** What Berth is given as its Docker host. */
    String dockerHost() {
        return "tcp://127.0.0.1:" + port;
    }

    /** Every request logged so far, in order. */
    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** A request of the test's own straight to the proxy (body as JSON, or none). */
    HttpResponse<String> send(String method, String pathAndQuery, String jsonBody) {
        return send(method, pathAndQuery, jsonBody, false);
    }

    /** The same, the body sent chunked when asked (a stream of unknown length). */
    HttpResponse<String> send(String method, String pathAndQuery, String jsonBody, boolean chunked) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(20));
        if (jsonBody == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else if (chunked) {
            byte[] bytes = jsonBody.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            b.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes)));
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                output.add(line);
                Matcher m = LINE.matcher(line.strip());
                if (m.matches()) {
                    requests.add(new Request(Integer.parseInt(m.group(1)), m.group(2).equals("-") ? "" : m.group(2),
                            m.group(3), m.group(4)));
                }
            }
        } catch (IOException e) {
            output.add("log reader ended: " + e);
        }
    }

    /** HAProxy's own lines (warnings, alerts) and the request lines, for a failure message. */
    List<String> output() {
        return new ArrayList<>(output);
    }

    /** Stops HAProxy and keeps what it printed in {@code target/reliability/socket-proxy-<port>.log}, to read after a run. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            Path log = Path.of("target", "reliability", "socket-proxy-" + port + ".log");
            Files.createDirectories(log.getParent());
            Files.write(log, output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the proxy's log", e);
        }
    }
}
