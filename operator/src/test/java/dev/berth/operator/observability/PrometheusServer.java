package dev.berth.operator.observability;

import dev.berth.operator.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.operator.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus (Debian's {@code prometheus} binary) on a free loopback port, with its own configuration and
 * TSDB in a temporary folder. close() stops it and deletes the folder.
 */
final class PrometheusServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final int port;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param config prometheus.yml text; rule file paths in it must be absolute */
    PrometheusServer(String config) throws IOException {
        dir = Files.createTempDirectory("berth-prometheus-");
        Files.writeString(dir.resolve("prometheus.yml"), config);
        port = FreePorts.one();
        process = new ProcessBuilder(Tools.require("prometheus"), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.retention.time=1h", "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            Await.until(Duration.ofSeconds(60), "Prometheus ready on 127.0.0.1:" + port, () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("prometheus exited: " + log());
                }
                return get("/-/ready").statusCode() == 200;
            }, this::log);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    static Path writeFile(Path dir, String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    Path dir() {
        return dir;
    }

    String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** An instant query; the parsed {@code data} node, or an AssertionError with Prometheus' error. */
    JsonNode query(String promql) {
        HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        JsonNode body = parse(r.body());
        if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new AssertionError("query failed (" + r.statusCode() + "): " + promql + "\n  "
                    + body.path("errorType").asText() + ": " + body.path("error").asText());
        }
        return body.path("data");
    }

    /** Number of series an instant query returns. */
    int seriesCount(String promql) {
        JsonNode data = query(promql);
        return "vector".equals(data.path("resultType").asText()) || "matrix".equals(data.path("resultType").asText())
                ? data.path("result").size() : 1;
    }

    JsonNode alerts() {
        HttpResponse<String> r = get("/api/v1/alerts");
        return parse(r.body()).path("data").path("alerts");
    }

    HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }


    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp folder left behind is harmless
        }
    }
}
