package dev.berth.reconcilers.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An event stream that Docker starts only after the subscription gave up on it (a loaded host: the answer came after
 * the start timeout) must be closed, not left open delivering events to nobody: such a leaked stream held a
 * connection for the operator's lifetime, one more per late start. A real dockerd cannot be made to delay the start
 * of an event stream on demand, so this stand-in answers the network list and holds the event streams' answers.
 */
class InstrumentedDockerLateEventStreamTest {
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger closedByClient = new AtomicInteger();
    private ExecutorService threads;
    private HttpServer slowDocker;
    private DockerClient docker;
    private DockerClient events;
    private String host;

    @BeforeEach
    void start() throws IOException {
        slowDocker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        threads = Executors.newCachedThreadPool();
        slowDocker.setExecutor(threads);
        slowDocker.createContext("/", this::answer);
        slowDocker.start();
        host = "tcp://127.0.0.1:" + slowDocker.getAddress().getPort();
        docker = DockerClients.connect(host);
        events = DockerClients.connectForEvents(host);
    }

    @AfterEach
    void stop() throws IOException, InterruptedException {
        release.countDown();
        docker.close();
        events.close();
        slowDocker.stop(0);
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
    }

    private void answer(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        try (ex) {
            if (path.endsWith("/networks")) {
                byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            } else if (path.endsWith("/events")) {
                streamEventsWhenReleased(ex);
            } else {
                ex.sendResponseHeaders(404, -1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the stream once released, then sends an event every 50 ms until the client closes it (or 30 s). */
    private void streamEventsWhenReleased(HttpExchange ex) throws IOException, InterruptedException {
        release.await();
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, 0);
        answered.incrementAndGet();
        OutputStream out = ex.getResponseBody();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (long n = 1; System.nanoTime() < deadline; n++) {
            String event = "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"c" + n
                    + "\",\"Attributes\":{}},\"time\":" + n + ",\"timeNano\":" + n * 1_000_000_000L + "}\n";
            try {
                out.write(event.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException closed) {
                closedByClient.incrementAndGet();
                return;
            }
            Thread.sleep(50);
        }
    }

    @Test
    void aStreamThatStartsAfterTheSubscriptionGaveUpIsClosedAndDeliversNothing() throws InterruptedException {
        InstrumentedDocker gateway = new InstrumentedDocker(docker, events, t -> DockerClients.connect(host, t),
                "late", DockerCallListener.NONE, InstrumentedDocker.STOP_MARGIN, Duration.ofMillis(300));
        List<DockerEvent> delivered = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();

        DockerActionException refused = assertThrows(DockerActionException.class,
                () -> gateway.events(Instant.now(), delivered::add, errors::add));
        assertTrue(refused.getMessage().contains("did not start within 300 ms"), refused.getMessage());

        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((answered.get() < 2 || closedByClient.get() < answered.get()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(2, answered.get(), "Docker answered both event streams after the subscription gave up");
        assertEquals(2, closedByClient.get(), "both late streams were closed by Berth within 10 s of their start");
        assertEquals(List.of(), delivered, "a stream given up on delivers no event");
        assertEquals(List.of(), errors, "a stream given up on reports no end: the subscription's failure was thrown");
    }
}
