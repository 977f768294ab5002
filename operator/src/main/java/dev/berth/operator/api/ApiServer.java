package dev.berth.operator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.berth.operator.http.HealthServer;
import dev.berth.reconcilers.docker.ContainerStreams;
import dev.berth.reconcilers.docker.DockerActionException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator API: HTTPS with this operator's own certificate, every request with {@code Authorization: Bearer
 * <cluster token>} or 401. What only the host can answer, for Berth's containers only (anything else is 404):
 * <ul>
 *   <li>{@code GET /v1/logs/<container>?follow=true&tail=N&since=<unix seconds>&timestamps=true}: the log as
 *       {@link ApiFrames}, until its end (with follow: until the container stops or the client goes);</li>
 *   <li>{@code POST /v1/exec/<container>} with {@code {"command": ["sh", "-c", "..."]}}: the command's output as
 *       frames, then its exit code (no TTY, no stdin).</li>
 * </ul>
 * Each stream holds one thread; at most {@link #MAX_STREAMS} run at once (503 beyond).
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    static final int MAX_STREAMS = 64;
    /** Longest a command may run: non-interactive commands, not sessions. */
    static final Duration EXEC_TIMEOUT = Duration.ofHours(1);
    private static final int MAX_BODY = 64 * 1024;
    static final int MAX_REQUEST_SECONDS = 30;
    /** A refused address is logged once per this period, with how many refusals it had since. */
    private static final Duration REFUSAL_LOG_PERIOD = Duration.ofSeconds(60);

    private final HttpsServer server;
    private final String certificateSha256;
    private final ApiToken token;
    private final ContainerStreams containers;
    private final String host;
    private final ExecutorService threads;
    private final ScheduledExecutorService heartbeats;
    private final ExecutorService beatWriters;
    private final Semaphore streams = new Semaphore(MAX_STREAMS);
    private final ObjectMapper json = new ObjectMapper();
    private final RefusalLog refusals = new RefusalLog(REFUSAL_LOG_PERIOD.toNanos());

    public ApiServer(InetSocketAddress listen, ApiCertificate certificate, ApiToken token, ContainerStreams containers,
                     String host) throws IOException {
        this.token = token;
        this.containers = containers;
        this.host = host;
        this.certificateSha256 = certificate.sha256();
        server = HttpsServer.create(listen, 32);
        server.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
        threads = boundedThreads();
        heartbeats = Executors.newSingleThreadScheduledExecutor(daemon("api-heartbeat"));
        // At most one beat in flight per stream, so no more threads than streams.
        beatWriters = Executors.newCachedThreadPool(daemon("api-heartbeat-write"));
        server.setExecutor(threads);
        server.createContext("/", authenticated(this::route));
    }

    /**
     * Limits of the JDK's HTTP server, read once when its classes load, so set before the first server of this JVM:
     * a connection has {@code maxReqTime} seconds from accept to its complete headers (TLS handshake included), so a
     * client that connects and sends nothing is closed. No {@code maxRspTime}: it would cut a followed log. No
     * {@code jdk.httpserver.maxConnections}: the JDK's server leaks a slot for each connection it closes on an error
     * path (a given-up stream), so a cap would end up refusing everything; the bounded thread pool limits the work.
     * A value given with {@code -D} wins.
     */
    public static void limitHttpServer() {
        System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", String.valueOf(MAX_REQUEST_SECONDS));
    }

    /**
     * One thread per stream plus a few for short requests; beyond that requests queue, and beyond the queue they are
     * dropped: their connection is closed by the server's request time limit.
     */
    private static ThreadPoolExecutor boundedThreads() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(MAX_STREAMS + 8, MAX_STREAMS + 8, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(MAX_STREAMS), daemon("api"), (task, executor) -> { });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    public void start() {
        server.start();
        // The token is read again every period on the heartbeat timer (which only hands the read on), stopped in close.
        token.start(heartbeats);
    }

    /** What the host record publishes, so the CLI trusts this server's certificate and no other. */
    public String certificateSha256() {
        return certificateSha256;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private HttpHandler authenticated(HttpHandler next) {
        return exchange -> {
            try (exchange) {
                String header = exchange.getRequestHeaders().getFirst("Authorization");
                String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                        ? header.substring(7).trim() : null;
                if (!token.accepts(presented)) {
                    String from = exchange.getRemoteAddress().getAddress().getHostAddress();
                    long count = refusals.due(from, System.nanoTime());
                    if (count > 0) {
                        log.info("api: refused {} {} from {} (401, {}; {} refusals from there since the last line)",
                                exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), from,
                                presented == null ? "no bearer token" : "wrong token", count);
                    }
                    exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"berth\"");
                    reply(exchange, 401, "token rejected\n");
                    return;
                }
                next.handle(exchange);
            } catch (RuntimeException e) {
                log.warn("api: {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        e.toString());
            }
        };
    }

    private void route(HttpExchange exchange) throws IOException {
        String[] parts = exchange.getRequestURI().getRawPath().split("/", -1);
        // "", "v1", "logs"|"exec", container
        if (parts.length != 4 || !parts[1].equals("v1") || parts[3].isEmpty()) {
            reply(exchange, 404, "no such API path\n");
            return;
        }
        String container = URLDecoder.decode(parts[3], StandardCharsets.UTF_8);
        String method = exchange.getRequestMethod();
        switch (parts[2]) {
            case "logs" -> {
                if (!method.equals("GET")) {
                    reply(exchange, 405, "logs: GET only\n");
                } else {
                    streaming(exchange, container, id -> logs(exchange, id));
                }
            }
            case "exec" -> {
                if (!method.equals("POST")) {
                    reply(exchange, 405, "exec: POST only\n");
                } else {
                    streaming(exchange, container, id -> exec(exchange, container, id));
                }
            }
            default -> reply(exchange, 404, "no such API path\n");
        }
    }

    private interface Stream {
        void run(String id) throws IOException;
    }

    private void streaming(HttpExchange exchange, String container, Stream stream) throws IOException {
        Optional<String> id;
        try {
            id = containers.managedContainer(container);
        } catch (DockerActionException e) {
            reply(exchange, 502, "docker on " + host + ": " + e.getMessage() + "\n");
            return;
        }
        if (id.isEmpty()) {
            reply(exchange, 404, "no Berth container " + container + " on host " + host + "\n");
            return;
        }
        if (!streams.tryAcquire()) {
            reply(exchange, 503, "host " + host + " serves " + MAX_STREAMS + " streams already; try again later\n");
            return;
        }
        try {
            stream.run(id.get());
        } finally {
            streams.release();
        }
    }

    private void logs(HttpExchange exchange, String id) throws IOException {
        ContainerStreams.LogOptions options;
        try {
            options = logOptions(query(exchange));
        } catch (IllegalArgumentException e) {
            reply(exchange, 400, e.getMessage() + "\n");
            return;
        }
        try (FrameStream out = new FrameStream(exchange, heartbeats, beatWriters)) {
            try {
                containers.logs(id, options, out);
            } catch (DockerActionException e) {
                out.error("docker on " + host + ": " + e.getMessage());
            } catch (IOException e) {
                log.debug("api: logs of {}: client went away ({})", id, e.getMessage());
            }
        }
    }

    static ContainerStreams.LogOptions logOptions(Map<String, String> query) {
        return new ContainerStreams.LogOptions(flag(query, "follow"), number(query, "tail", Integer::valueOf),
                number(query, "since", Long::valueOf), flag(query, "timestamps"));
    }

    private static boolean flag(Map<String, String> query, String name) {
        String value = query.get(name);
        return value != null && (value.isEmpty() || value.equals("true") || value.equals("1"));
    }

    private static <T extends Number> T number(Map<String, String> query, String name,
                                               java.util.function.Function<String, T> parse) {
        String value = query.get(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            T n = parse.apply(value);
            if (n.longValue() < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number >= 0, got " + value);
        }
    }

    private void exec(HttpExchange exchange, String container, String id) throws IOException {
        List<String> command;
        try {
            command = command(exchange.getRequestBody());
        } catch (IllegalArgumentException e) {
            reply(exchange, 400, e.getMessage() + "\n");
            return;
        }
        // The command's name only: its arguments may carry anything, passwords included.
        log.info("api: exec {} in container {} for {}", command.get(0), container,
                exchange.getRemoteAddress().getAddress().getHostAddress());
        try (FrameStream out = new FrameStream(exchange, heartbeats, beatWriters)) {
            try {
                out.exit(containers.exec(id, command, EXEC_TIMEOUT, out));
            } catch (DockerActionException e) {
                out.error("docker on " + host + ": " + e.getMessage());
            } catch (IOException e) {
                log.debug("api: exec in {}: client went away ({})", container, e.getMessage());
            }
        }
    }

    private List<String> command(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw new IllegalArgumentException("exec: the request is larger than " + MAX_BODY + " bytes");
        }
        JsonNode node;
        try {
            node = json.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("exec: the body is not JSON: " + e.getMessage());
        }
        JsonNode array = node == null ? null : node.get("command");
        List<String> command = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(n -> command.add(n.isTextual() ? n.asText() : null));
        }
        if (command.isEmpty() || command.contains(null)) {
            throw new IllegalArgumentException("exec: the body must be {\"command\": [\"name\", \"arg\", ...]}");
        }
        return command;
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> query = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                query.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return query;
    }

    private static void reply(HttpExchange exchange, int code, String body) throws IOException {
        HealthServer.reply(exchange, code, "text/plain; charset=utf-8", body);
    }

    @Override
    public void close() {
        token.close();
        server.stop(0);
        heartbeats.shutdownNow();
        beatWriters.shutdownNow();
        threads.shutdownNow();
    }
}
