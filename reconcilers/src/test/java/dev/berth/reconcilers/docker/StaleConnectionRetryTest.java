package dev.berth.reconcilers.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.dockerjava.transport.DockerHttpClient;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.junit.jupiter.api.Test;

/**
 * Which requests are sent again after "no answer at all", against a stand-in for the HTTP client (pure: the real
 * pool closed by the socket proxy is ProxyKeepAliveTest's).
 */
class StaleConnectionRetryTest {
    /** Answers "no response" the first {@code dead} times (dead pooled connections), then a response. */
    private static final class DeadConnections implements DockerHttpClient {
        int dead;
        final List<String> bodies = new ArrayList<>();

        DeadConnections(int dead) {
            this.dead = dead;
        }

        @Override
        public Response execute(Request request) {
            try {
                bodies.add(request.body() == null ? "" : new String(request.body().readAllBytes(), StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            if (dead-- > 0) {
                throw new RuntimeException(new NoHttpResponseException("127.0.0.1:2375 failed to respond"));
            }
            return RESPONSE;
        }

        @Override
        public void close() {
        }
    }

    private static final DockerHttpClient.Response RESPONSE = new DockerHttpClient.Response() {
        @Override
        public int getStatusCode() {
            return 201;
        }

        @Override
        public Map<String, List<String>> getHeaders() {
            return Map.of();
        }

        @Override
        public InputStream getBody() {
            return new ByteArrayInputStream(new byte[0]);
        }

        @Override
        public void close() {
        }
    };

    private static final DockerHttpClient.Request LIST = DockerHttpClient.Request.builder()
            .method(DockerHttpClient.Request.Method.GET).path("/v1.41/containers/json").build();

    /** {@code n} calls at once, then all answered: the pool may now hold {@code n} idle connections. */
    private static StaleConnectionRetry afterConcurrentCalls(DeadConnections http, int n) {
        StaleConnectionRetry retry = new StaleConnectionRetry(http, 32);
        List<DockerHttpClient.Response> open = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            open.add(retry.execute(LIST));
        }
        open.forEach(DockerHttpClient.Response::close);
        http.bodies.clear();
        return retry;
    }

    private static DockerHttpClient.Request post(String path, String body) {
        return DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.POST).path(path)
                .bodyBytes(body.getBytes(StandardCharsets.UTF_8)).build();
    }

    @Test
    void aCreateIsSentAgainWithItsWholeBodyUntilALiveConnectionAnswers() {
        DeadConnections http = new DeadConnections(0);
        StaleConnectionRetry retry = afterConcurrentCalls(http, 4);
        http.dead = 3;
        DockerHttpClient.Response r = retry.execute(post("/v1.41/containers/create?name=web-1", "{\"Image\":\"busybox\"}"));
        assertEquals(201, r.getStatusCode());
        assertEquals(List.of("{\"Image\":\"busybox\"}", "{\"Image\":\"busybox\"}", "{\"Image\":\"busybox\"}",
                "{\"Image\":\"busybox\"}"), http.bodies);
    }

    @Test
    void atMostOneTryPerConnectionThePoolCanHold() {
        DeadConnections http = new DeadConnections(0);
        StaleConnectionRetry retry = afterConcurrentCalls(http, 4);
        http.dead = 100;
        RuntimeException e = assertThrows(RuntimeException.class, () -> retry.execute(LIST));
        assertEquals(NoHttpResponseException.class, e.getCause().getClass());
        assertEquals(5, http.bodies.size(), "the first try and one for each of the 4 connections the pool may hold");
    }

    @Test
    void aClientThatNeverPooledAConnectionDoesNotTryAgain() {
        // A proxy that closes what it refuses: every connection is new, and another try would be refused too.
        DeadConnections http = new DeadConnections(100);
        assertThrows(RuntimeException.class, () -> new StaleConnectionRetry(http, 32).execute(LIST));
        assertEquals(1, http.bodies.size());
    }

    @Test
    void connectionsInUseByOtherCallsAreNotIdleInThePool() {
        DeadConnections http = new DeadConnections(0);
        StaleConnectionRetry retry = afterConcurrentCalls(http, 2);
        DockerHttpClient.Response stream = retry.execute(LIST);
        http.dead = 100;
        assertThrows(RuntimeException.class, () -> retry.execute(LIST));
        assertEquals(3, http.bodies.size(), "the stream holds one of the two connections: the first try and one more");
        stream.close();
    }

    @Test
    void execKillRestartAndPauseAreNeverSentTwice() {
        for (String path : List.of("/v1.41/containers/web-1/exec", "/v1.41/exec/0123abcd/start",
                "/v1.41/containers/web-1/kill?signal=SIGTERM", "/v1.41/containers/web-1/restart",
                "/v1.41/containers/web-1/pause")) {
            DeadConnections http = new DeadConnections(0);
            StaleConnectionRetry retry = afterConcurrentCalls(http, 4);
            http.dead = 1;
            assertThrows(RuntimeException.class, () -> retry.execute(post(path, "{}")), path);
            assertEquals(1, http.bodies.size(), path);
        }
    }

    @Test
    void aStreamedBodyIsNotSentTwice() {
        DeadConnections http = new DeadConnections(0);
        StaleConnectionRetry retry = afterConcurrentCalls(http, 4);
        http.dead = 1;
        DockerHttpClient.Request build = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.POST)
                .path("/v1.41/build").body(new ByteArrayInputStream(new byte[] {1, 2, 3})).build();
        assertThrows(RuntimeException.class, () -> retry.execute(build));
        assertEquals(1, http.bodies.size());
    }

    @Test
    void otherErrorsAreNotRetried() {
        DockerHttpClient refusing = new DockerHttpClient() {
            int calls;

            @Override
            public Response execute(Request request) {
                calls++;
                throw new RuntimeException(new java.net.ConnectException("Connection refused, call " + calls));
            }

            @Override
            public void close() {
            }
        };
        RuntimeException e = assertThrows(RuntimeException.class, () -> new StaleConnectionRetry(refusing, 32)
                .execute(post("/v1.41/containers/create", "{}")));
        assertEquals("java.net.ConnectException: Connection refused, call 1", e.getMessage());
    }
}
