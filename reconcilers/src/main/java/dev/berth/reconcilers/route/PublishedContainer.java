package dev.berth.reconcilers.route;

import java.util.List;
import java.util.Map;

/**
 * One container of a stack as its host publishes it for routes: where it can be reached. {@code address} is the
 * host's advertised address; {@code ports} its published ports; {@code networks} Docker network name → IPv4.
 */
public record PublishedContainer(String container, String service, String state, String health, String address,
                                 List<Port> ports, Map<String, String> networks) {
    public PublishedContainer {
        ports = ports == null ? List.of() : List.copyOf(ports);
        networks = networks == null ? Map.of() : Map.copyOf(networks);
    }

    /** Running, and healthy when it has a health check (Traefik's own Docker provider uses the same rule). */
    public boolean healthy() {
        return "running".equals(state) && (health == null || "healthy".equals(health));
    }

    public boolean running() {
        return "running".equals(state);
    }

    /** A published port: container port {@code target} on host {@code hostIp} (empty or 0.0.0.0: every address). */
    public record Port(int target, int published, String hostIp) {
    }
}
