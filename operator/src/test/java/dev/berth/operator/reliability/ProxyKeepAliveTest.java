package dev.berth.operator.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import dev.berth.operator.Await;
import dev.berth.operator.TestEnv;
import dev.berth.reconcilers.docker.DockerClients;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Berth's Docker client behind the socket proxy after the proxy closed its idle connections ({@code timeout
 * http-keep-alive} in socket-proxy.cfg): the next create and inspect still succeed. docker-java keeps dead pooled
 * connections; without Berth's retry a POST written into one failed with "failed to respond", and so did a GET when
 * two dead connections were next (CI saw {@code berth logs} fail this way behind the proxy).
 */
@RunsInTheFaultLane
class ProxyKeepAliveTest {
    private static final Pattern KEEP_ALIVE = Pattern.compile("timeout\\s+http-keep-alive\\s+(\\d+)s");
    private static final int STREAMS = 4;

    @Test
    void callsSucceedAfterTheProxyClosedIdlePooledConnections() throws Exception {
        Duration keepAlive = proxyKeepAlive();
        String prefix = TestEnv.uniqueName("bkeep");
        List<String> created = new ArrayList<>();
        try (SocketProxy proxy = SocketProxy.start(Map.of());
             DockerClient docker = DockerClients.connect(proxy.dockerHost())) {
            int port = Integer.parseInt(proxy.dockerHost().replaceAll(".*:", ""));
            try {
                created.add(docker.createNetworkCmd().withName(prefix + "a").exec().getId());

                // A GET: HttpClient tries it twice on its own, so two dead connections next in the pool failed it.
                poolDeadConnections(docker, port, keepAlive);
                assertEquals(prefix + "a", docker.inspectNetworkCmd().withNetworkId(created.get(0)).exec().getName());

                // A POST: HttpClient never sends it twice.
                poolDeadConnections(docker, port, keepAlive);
                created.add(docker.createNetworkCmd().withName(prefix + "b").exec().getId());
            } finally {
                for (String id : created) {
                    docker.removeNetworkCmd(id).exec();
                }
            }
        }
    }

    /** Several connections in the client's pool, all of them closed by the proxy since. */
    private static void poolDeadConnections(DockerClient docker, int port, Duration keepAlive) throws Exception {
        openConcurrentConnections(docker);
        int pooled = establishedTo(port);
        assertTrue(pooled >= 2, "at least two pooled connections to the proxy, found " + pooled);
        Await.until(keepAlive.multipliedBy(3), "the proxy closing every idle connection to port " + port,
                () -> establishedTo(port) == 0, () -> establishedTo(port) + " still established");
    }

    /** Several event streams at once, each open for two seconds: each needs a connection of its own in the pool. */
    private static void openConcurrentConnections(DockerClient docker) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        ExecutorService pool = Executors.newFixedThreadPool(STREAMS);
        try {
            List<Future<Boolean>> streams = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                streams.add(pool.submit(() -> docker.eventsCmd().withSince(Long.toString(now))
                        .withUntil(Long.toString(now + 2)).exec(new ResultCallback.Adapter<Event>())
                        .awaitCompletion(30, TimeUnit.SECONDS)));
            }
            for (Future<Boolean> s : streams) {
                assertEquals(true, s.get(), "an event stream with an end in two seconds ended");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Duration proxyKeepAlive() throws IOException {
        Matcher m = KEEP_ALIVE.matcher(Files.readString(SocketProxy.config(), StandardCharsets.UTF_8));
        if (!m.find()) {
            throw new AssertionError("socket-proxy.cfg sets no timeout http-keep-alive in seconds");
        }
        return Duration.ofSeconds(Long.parseLong(m.group(1)));
    }

    /** Client ends of TCP connections to the proxy's port still established (ss from iproute2). */
    private static int establishedTo(int port) {
        try {
            Process ss = new ProcessBuilder("ss", "-Htn", "state", "established", "( dport = :" + port + " )")
                    .redirectErrorStream(true).start();
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (ss.waitFor() != 0) {
                throw new AssertionError("ss failed: " + out);
            }
            return (int) out.lines().filter(l -> !l.isBlank()).count();
        } catch (IOException e) {
            throw new AssertionError("cannot run ss", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
