package dev.berth.reconcilers.stack;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether this host's operator answers names on the Berth Networks, and where: this host's gateway address on
 * each Berth Network a stack here joins. When it does, a container on a Berth Network is pointed at the gateway
 * of its first Berth Network (by name) as its DNS server, and joins its Berth Networks without the service-name
 * alias: Docker's embedded DNS would answer that alias with this host's replicas only, hiding the other hosts'.
 * Docker's embedded DNS still answers container names of this host and forwards everything else to that server.
 *
 * <p>{@code fallback}: the host's own resolvers, listed after the gateway. Docker's embedded DNS turns to the next
 * server when one does not answer, so while the operator is down (the data plane outlives it) names of the outside
 * world still resolve; Berth names then do not. Only the gateway is part of the container's spec hash (see
 * {@code ContainerPlan}): a changed resolv.conf on the host replaces no container.
 */
public record NameServers(boolean enabled, Map<String, String> gateways, List<String> fallback,
                          Set<String> dockerNetworks) {
    public NameServers {
        gateways = Map.copyOf(gateways);
        fallback = List.copyOf(fallback);
        dockerNetworks = Set.copyOf(dockerNetworks);
    }

    /** Names are not answered here (turned off, or the operator cannot bind in the host's namespace). */
    public static NameServers off() {
        return new NameServers(false, Map.of(), List.of(), Set.of());
    }

    /** @param gateways this host's gateway address per Berth Network, at least those the stack joins */
    public static NameServers on(Map<String, String> gateways) {
        return on(gateways, List.of());
    }

    /**
     * @param gateways this host's gateway address per Berth Network, at least those the stack joins
     * @param fallback resolvers a container can reach itself (not loopback), tried when the operator does not answer
     */
    public static NameServers on(Map<String, String> gateways, List<String> fallback) {
        return new NameServers(true, gateways, fallback, Set.of());
    }

    /**
     * @param names networks the stack joins that are Docker networks made outside Berth (joined by their exact name):
     *              the operator answers no names there, so containers keep the service alias on them
     */
    public NameServers withDockerNetworks(Set<String> names) {
        return new NameServers(enabled, gateways, fallback, names);
    }

    /**
     * The DNS servers of a container that joins these Berth Networks, the gateway of the first (by name) and then the
     * fallback: none when names are off or it joins none.
     *
     * @throws IllegalArgumentException when the first Network's gateway is not known (callers wait for it first)
     */
    public List<String> forNetworks(Collection<String> berthNetworks) {
        if (!enabled || berthNetworks.isEmpty()) {
            return List.of();
        }
        String first = new TreeSet<>(berthNetworks).first();
        String gateway = gateways.get(first);
        if (gateway == null) {
            throw new IllegalArgumentException("this host's gateway on Network " + first + " is not known yet");
        }
        List<String> servers = new java.util.ArrayList<>(List.of(gateway));
        fallback.stream().filter(f -> !servers.contains(f)).forEach(servers::add);
        return List.copyOf(servers);
    }
}
