package dev.berth.reconcilers.stack;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Whether this host's operator answers names on the Berth Networks, and where: this host's gateway address on
 * each Berth Network a stack here joins. When it does, a container on a Berth Network is pointed at the gateway
 * of its first Berth Network (by name) as its DNS server, and joins its Berth Networks without the service-name
 * alias: Docker's embedded DNS would answer that alias with this host's replicas only, hiding the other hosts'.
 * Docker's embedded DNS still answers container names of this host and forwards everything else to that server.
 */
public record NameServers(boolean enabled, Map<String, String> gateways) {
    public NameServers {
        gateways = Map.copyOf(gateways);
    }

    /** Names are not answered here (turned off, or the operator cannot bind in the host's namespace). */
    public static NameServers off() {
        return new NameServers(false, Map.of());
    }

    /** @param gateways this host's gateway address per Berth Network, at least those the stack joins */
    public static NameServers on(Map<String, String> gateways) {
        return new NameServers(true, gateways);
    }

    /**
     * The DNS servers of a container that joins these Berth Networks: none when names are off or it joins none.
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
        return List.of(gateway);
    }
}
