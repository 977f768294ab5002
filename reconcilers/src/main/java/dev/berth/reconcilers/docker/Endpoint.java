package dev.berth.reconcilers.docker;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A container's address on an overlay Network, as its host publishes it. Unicast mode programs {@code ip} and
 * {@code mac} (FDB: MAC → host; neighbour: IP → MAC); names across hosts answer with {@code ip} under the
 * container's name, its service and the service's {@code aliases}. {@code ready}: running, and healthy when it has a
 * health check. The name fields are null for containers Berth does not run (and in lists older versions wrote);
 * {@code aliases} is left out of the list when empty, so lists of services without aliases stay as they were.
 */
public record Endpoint(String ip, String mac, String container, String stack, String service, Integer replica,
                       boolean ready, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> aliases) {
    public Endpoint {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }

    /** A stack's container whose service has no aliases. */
    public Endpoint(String ip, String mac, String container, String stack, String service, Integer replica,
                    boolean ready) {
        this(ip, mac, container, stack, service, replica, ready, List.of());
    }

    /** Address only: a container that carries no stack labels. */
    public Endpoint(String ip, String mac) {
        this(ip, mac, null, null, null, null, false);
    }
}
