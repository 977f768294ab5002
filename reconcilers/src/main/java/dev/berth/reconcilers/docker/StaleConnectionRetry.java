package dev.berth.reconcilers.docker;

import com.github.dockerjava.transport.DockerHttpClient;
import java.io.IOException;
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
 * <p>The same error comes from a dockerd that died after doing the request, so only calls that are harmless to
 * repeat are sent again: reads, and changes whose repeat Docker refuses or ignores (a second create of a name is a
 * conflict, a second start or stop "not modified", a second remove "no such"). Never an exec, a kill, a restart or a
 * pause. Each failed try closes the dead connection it used, so at most one try per pooled connection is needed. A
 * body that is a stream (a build context, an image load) cannot be sent twice and is not retried, nor is a hijacked
 * request.
 */
final class StaleConnectionRetry implements DockerHttpClient {
    private static final Logger LOG = LoggerFactory.getLogger(StaleConnectionRetry.class);
    /** Calls a dockerd that did them before dying would do again: exec create and start, kill, restart, pause. */
    private static final Pattern NOT_REPEATED = Pattern.compile(
            "(/exec(/|\\?|$)|/(kill|restart|pause|unpause)(\\?|$))");

    private final DockerHttpClient delegate;
    private final int pooledConnections;

    StaleConnectionRetry(DockerHttpClient delegate, int pooledConnections) {
        this.delegate = delegate;
        this.pooledConnections = pooledConnections;
    }

    @Override
    public Response execute(Request request) {
        Request attempt = request;
        for (int retries = 0; ; retries++) {
            try {
                return delegate.execute(attempt);
            } catch (RuntimeException e) {
                if (!(e.getCause() instanceof NoHttpResponseException) || retries >= pooledConnections
                        || !replayable(request)) {
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
}
