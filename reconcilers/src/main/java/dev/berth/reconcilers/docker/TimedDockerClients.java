package dev.berth.reconcilers.docker;

import com.github.dockerjava.api.DockerClient;
import java.time.Duration;

/**
 * Opens a client whose calls wait at most {@code responseTimeout} for Docker's answer; the caller closes it. For the
 * calls whose bound depends on the call (a graceful stop waits the service's grace period), since docker-java sets
 * timeouts per client, not per call. Production: {@code t -> DockerClients.connect(host, t)}.
 */
@FunctionalInterface
public interface TimedDockerClients {
    DockerClient open(Duration responseTimeout);
}
