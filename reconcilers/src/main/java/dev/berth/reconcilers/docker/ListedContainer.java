package dev.berth.reconcilers.docker;

import java.util.List;
import java.util.Map;

/**
 * One entry of Docker's container list: the container as planners see it, plus where it can be reached, so one
 * list serves the stacks, the route backends and the Network endpoints alike. {@code addresses}: Docker network
 * name → IPv4 (networks without an address left out); {@code macs}: Docker network name → the container's MAC on
 * it (unicast overlays program it); {@code ports}: the ports bound on the host; {@code mounts}: container path →
 * host path of its bind mounts (which Secret and Config files it still uses, so unused ones can go).
 */
public record ListedContainer(ObservedContainer container, Map<String, String> addresses, Map<String, String> macs,
                              List<PublishedPort> ports, Map<String, String> mounts) {
    public ListedContainer {
        addresses = addresses == null ? Map.of() : Map.copyOf(addresses);
        macs = macs == null ? Map.of() : Map.copyOf(macs);
        ports = ports == null ? List.of() : List.copyOf(ports);
        mounts = mounts == null ? Map.of() : Map.copyOf(mounts);
    }

    /** Without bind mounts: for lists that only need addresses. */
    public ListedContainer(ObservedContainer container, Map<String, String> addresses, Map<String, String> macs,
                           List<PublishedPort> ports) {
        this(container, addresses, macs, ports, Map.of());
    }

    /** Without MACs: for lists that only need addresses. */
    public ListedContainer(ObservedContainer container, Map<String, String> addresses, List<PublishedPort> ports) {
        this(container, addresses, Map.of(), ports);
    }

    /**
     * Container port {@code target}/{@code protocol} bound to host port {@code published} on {@code hostIp} (empty
     * or 0.0.0.0: every address; an IPv6 address for the IPv6 binding Docker lists beside the IPv4 one).
     */
    public record PublishedPort(int target, int published, String protocol, String hostIp) {
    }
}
