package dev.berth.reconcilers.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.berth.reconcilers.labels.BerthLabels;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A graceful stop that Docker never answers (a container that survives SIGKILL, stuck in the kernel) must not hold
 * the stack worker: the call ends after the grace period plus the margin, the forced remove follows, and the call
 * metrics show how long the stop took. A real dockerd cannot be made to hang a stop on demand, so this one endpoint
 * is a stand-in that answers inspect and remove and never answers the stop.
 */
class InstrumentedDockerStopTimeoutTest {
    private static final String ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private final CountDownLatch release = new CountDownLatch(1);
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final List<Long> stopNanos = new CopyOnWriteArrayList<>();
    private ExecutorService threads;
    private HttpServer stuckDocker;
    private DockerClient docker;
    private DockerClient events;

    @BeforeEach
    void start() throws IOException {
        stuckDocker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        threads = Executors.newCachedThreadPool();
        stuckDocker.setExecutor(threads);
        stuckDocker.createContext("/", this::answer);
        stuckDocker.start();
        String host = "tcp://127.0.0.1:" + stuckDocker.getAddress().getPort();
        docker = DockerClients.connect(host);
        events = DockerClients.connectForEvents(host);
    }

    @AfterEach
    void stop() throws IOException, InterruptedException {
        release.countDown();
        docker.close();
        events.close();
        stuckDocker.stop(0);
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
    }

    private void answer(HttpExchange ex) throws IOException {
        String what = ex.getRequestMethod() + " " + ex.getRequestURI().getPath();
        requests.add(what);
        try (ex) {
            if (what.endsWith("/containers/" + ID + "/json")) {
                send(ex, 200, "{\"Id\":\"" + ID + "\",\"State\":{\"Running\":true},"
                        + "\"Config\":{\"Labels\":{\"" + BerthLabels.STOP_GRACE_SECONDS + "\":\"0\"}}}");
            } else if (what.endsWith("/containers/" + ID + "/stop")) {
                release.await(); // the container does not die: Docker keeps the request open
            } else if (what.startsWith("DELETE") && what.endsWith("/containers/" + ID)) {
                ex.sendResponseHeaders(204, -1);
            } else {
                send(ex, 404, "{\"message\":\"not here\"}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    @Test
    void aStopDockerNeverAnswersEndsAfterGraceAndMarginAndTheRemoveFollows() {
        String host = "tcp://127.0.0.1:" + stuckDocker.getAddress().getPort();
        InstrumentedDocker gateway = new InstrumentedDocker(docker, events, t -> DockerClients.connect(host, t),
                "stuck", (operation, outcome, nanos) -> {
                    calls.add(operation + "/" + outcome);
                    if (operation.equals("stop_container")) {
                        stopNanos.add(nanos);
                    }
                }, Duration.ofSeconds(1), InstrumentedDocker.EVENTS_START);

        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> gateway.remove(ID),
                "a stop that never ends must not hold the pass");

        assertTrue(requests.stream().anyMatch(r -> r.endsWith("/stop")), "the graceful stop was tried: " + requests);
        assertEquals(List.of("inspect_container/success", "stop_container/unavailable", "remove_container/success"), calls,
                "a timed-out stop counts as Docker unavailable");
        long stopMillis = TimeUnit.NANOSECONDS.toMillis(stopNanos.get(0));
        assertTrue(stopMillis >= 900 && stopMillis < 15_000,
                "the metrics record the blocked stop's duration (grace 0 s + margin 1 s), got " + stopMillis + " ms");
    }
}
