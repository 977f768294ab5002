package dev.berth.reconcilers.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.time.Duration;

/** Makes docker-java clients the way Berth needs them. */
public final class DockerClients {
    /** Docker 20.10 does not negotiate: a newer client version is refused ("client version too new"). */
    public static final String API_VERSION = "1.41";
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Generous because a start can take a second and a forced remove of a busy container several. */
    public static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_CONNECTIONS = 32;

    private DockerClients() {
    }

    /** A client for request/response calls: every call is bounded by the timeouts above. */
    public static DockerClient connect(String dockerHost) {
        return connect(dockerHost, RESPONSE_TIMEOUT);
    }

    /**
     * A client for the event stream: no response timeout, because a quiet host sends nothing for a long time and a
     * read timeout would cut a healthy stream.
     */
    public static DockerClient connectForEvents(String dockerHost) {
        return connect(dockerHost, null);
    }

    /**
     * A client whose calls wait up to {@code responseTimeout} for Docker's answer (null: forever, for streams only).
     * For the one call that may legitimately take longer than {@link #RESPONSE_TIMEOUT}: a graceful stop.
     */
    public static DockerClient connect(String dockerHost, Duration responseTimeout) {
        if (dockerHost == null || dockerHost.isBlank()) {
            throw new IllegalArgumentException("a Docker host is required, like unix:///var/run/docker.sock");
        }
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost)
                .withApiVersion(API_VERSION)
                .build();
        ApacheDockerHttpClient.Builder http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(MAX_CONNECTIONS)
                .connectionTimeout(CONNECT_TIMEOUT);
        if (responseTimeout != null) {
            http.responseTimeout(responseTimeout);
        }
        // Streams (events, pulls, logs) are not sent again: their connections are seldom idle in the pool, and an
        // event feed that reconnects has its own backoff, which tries on top of it would only hold up.
        return DockerClientImpl.getInstance(config, responseTimeout == null ? http.build()
                : new StaleConnectionRetry(http.build(), MAX_CONNECTIONS));
    }
}
