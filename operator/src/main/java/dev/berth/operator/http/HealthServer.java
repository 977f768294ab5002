package dev.berth.operator.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code /metrics} (Prometheus text), {@code /healthz} (the process answers) and {@code /readyz} (every check
 * passes; the body lists each check so a person sees which one failed).
 */
public final class HealthServer implements AutoCloseable {
    /** One readiness check: a name and a supplier returning null when fine, or the reason it is not. */
    public record Check(String name, Supplier<String> problem) {
    }

    private final HttpServer server;

    public HealthServer(InetSocketAddress address, PrometheusMeterRegistry registry, List<Check> checks) throws IOException {
        server = HttpServer.create(address, 16);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/metrics", ex -> reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        server.createContext("/healthz", ex -> reply(ex, 200, "text/plain", "ok\n"));
        server.createContext("/readyz", ex -> {
            StringBuilder body = new StringBuilder();
            boolean ready = true;
            for (Check check : checks) {
                String problem;
                try {
                    problem = check.problem().get();
                } catch (RuntimeException e) {
                    problem = e.getMessage();
                }
                ready &= problem == null;
                body.append(problem == null ? "[+] " + check.name() + " ok" : "[-] " + check.name() + ": " + problem).append('\n');
            }
            body.append(ready ? "ready\n" : "not ready\n");
            reply(ex, ready ? 200 : 503, "text/plain", body.toString());
        });
    }

    public void start() {
        server.start();
    }

    /** Serves {@code path} (and below) with {@code handler} too, e.g. the GitOps webhook; callable before or after start. */
    public void handle(String path, com.sun.net.httpserver.HttpHandler handler) {
        server.createContext(path, handler);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** A whole answer with a known length (the operator API's errors use it too). */
    public static void reply(HttpExchange exchange, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
