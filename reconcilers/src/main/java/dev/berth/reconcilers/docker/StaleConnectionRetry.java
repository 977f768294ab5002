package dev.berth.reconcilers.docker;

import com.github.dockerjava.transport.DockerHttpClient;
import java.io.IOException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a request again when it went out on a pooled connection that the other end had already closed.
 *
 * <p>docker-java's HTTP client keeps idle connections without ever checking them, and offers no setting to expire
 * them. Anything between Berth and Docker that closes idle connections (the socket proxy's {@code timeout
 * http-keep-alive}, a load balancer) leaves the pool holding dead ones. A request written into one gets no answer at
 * all ({@link NoHttpResponseException}): the other end never read it, so nothing was done. HttpClient retries only
 * idempotent methods, and only once, so a create or a start failed, and so did a GET when two dead connections were
 * next in the pool.
 *
 * <p>Each failed try closes the dead connection it used, so at most one try per pooled connection is needed. A body
 * that is a stream (a build context, an image load) cannot be sent twice and is not retried, nor is a hijacked
 * request.
 */
final class StaleConnectionRetry implements DockerHttpClient {
    private static final Logger LOG = LoggerFactory.getLogger(StaleConnectionRetry.class);

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
                LOG.debug("{} {}: the pooled connection was closed by the other end; sending it again",
                        request.method(), request.path());
                attempt = copy(request);
            }
        }
    }

    private static boolean replayable(Request request) {
        return request.hijackedInput() == null && (request.bodyBytes() != null || request.body() == null);
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
