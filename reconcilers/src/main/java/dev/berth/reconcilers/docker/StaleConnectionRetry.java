package dev.berth.reconcilers.docker;

import com.github.dockerjava.transport.DockerHttpClient;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a request again when it went out on a pooled connection that the other end had already closed.
 *
 * <p>docker-java's HTTP client keeps idle connections without ever checking them, and offers no setting to expire
 * them. Anything between Berth and Docker that closes idle connections (the socket proxy's {@code timeout
 * http-keep-alive}, a load balancer) leaves the pool holding dead ones. A request written into one gets no answer at
 * all ({@link NoHttpResponseException}). HttpClient retries only idempotent methods, and only once, so a create or a
 * start failed, and so did a GET when two dead connections were next in the pool.
 *
 * <p>Each failed try closes the dead connection it used, and the pool holds no more idle connections than were ever
 * in use at once, less those in use now: that many tries at most. A connection just opened that gets no answer is
 * not tried again: with 32 tries each, a proxy that closes the event streams it refuses got some 60 new
 * connections per reconnect of the operator's event feed, which held the feed's thread for 15–20 s (DockerFaultsTest).
 *
 * <p>The same error comes from a dockerd that died after doing the request, so only calls that are harmless to
 * repeat are sent again: reads, and changes whose repeat Docker refuses or ignores (a second create of a name is a
 * conflict, a second start or stop "not modified", a second remove "no such"). Never an exec, a kill, a restart or a
 * pause. A body that is a stream (a build context, an image load) cannot be sent twice and is not retried, nor is a
 * hijacked request. Only the request/response client is wrapped; the stream client is not (see DockerClients).
 */
final class StaleConnectionRetry implements DockerHttpClient {
    private static final Logger LOG = LoggerFactory.getLogger(StaleConnectionRetry.class);
    /** Calls a dockerd that did them before dying would do again: exec create and start, kill, restart, pause. */
    private static final Pattern NOT_REPEATED = Pattern.compile(
            "(/exec(/|\\?|$)|/(kill|restart|pause|unpause)(\\?|$))");

    private final DockerHttpClient delegate;
    private final int pooledConnections;
    /** Requests whose response is not closed yet: each holds a connection. */
    private final AtomicInteger open = new AtomicInteger();
    /** The most that were open at once. */
    private final AtomicInteger mostOpen = new AtomicInteger();

    StaleConnectionRetry(DockerHttpClient delegate, int pooledConnections) {
        this.delegate = delegate;
        this.pooledConnections = pooledConnections;
    }

    @Override
    public Response execute(Request request) {
        // The pool holds no more idle connections than were ever open at once, less those other calls hold now: a
        // connection that was never pooled and still gets no answer (a proxy that closes what it refuses, a dockerd
        // going down) is not tried again and again.
        int othersOpen = open.getAndIncrement();
        int idleAtMost = Math.min(pooledConnections, Math.max(0, mostOpen.get() - othersOpen));
        mostOpen.accumulateAndGet(othersOpen + 1, Math::max);
        Request attempt = request;
        for (int retries = 0; ; retries++) {
            try {
                return new Counted(delegate.execute(attempt));
            } catch (RuntimeException e) {
                if (!(e.getCause() instanceof NoHttpResponseException) || retries >= idleAtMost
                        || !replayable(request)) {
                    open.decrementAndGet();
                    throw e;
                }
                if ("GET".equals(request.method()) || "HEAD".equals(request.method())) {
                    LOG.debug("{} {}: the pooled connection was closed by the other end; sending it again",
                            request.method(), request.path());
                } else {
                    LOG.info("{} {}: no answer on a pooled connection the other end had closed; sending it again",
                            request.method(), request.path());
                }
                attempt = copy(request);
            }
        }
    }

    private static boolean replayable(Request request) {
        return request.hijackedInput() == null && (request.bodyBytes() != null || request.body() == null)
                && !NOT_REPEATED.matcher(request.path()).find();
    }

    /** A fresh request: the first one's body stream was read by the try that failed. */
    private static Request copy(Request request) {
        Request.Builder b = Request.builder().method(request.method()).path(request.path()).headers(request.headers());
        if (request.bodyBytes() != null) {
            b.bodyBytes(request.bodyBytes());
        }
        return b.build();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    /** A response that gives its connection back to the count when closed (once). */
    private final class Counted implements Response {
        private final Response response;
        private final AtomicBoolean closed = new AtomicBoolean();

        Counted(Response response) {
            this.response = response;
        }

        @Override
        public int getStatusCode() {
            return response.getStatusCode();
        }

        @Override
        public java.util.Map<String, java.util.List<String>> getHeaders() {
            return response.getHeaders();
        }

        @Override
        public String getHeader(String name) {
            return response.getHeader(name);
        }

        @Override
        public java.io.InputStream getBody() {
            return response.getBody();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                open.decrementAndGet();
            }
            response.close();
        }
    }
}
