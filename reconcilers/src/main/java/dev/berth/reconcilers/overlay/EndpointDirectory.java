package dev.berth.reconcilers.overlay;

import dev.berth.reconcilers.docker.Endpoint;
import java.util.List;
import java.util.Map;

/**
 * Where hosts publish the overlay endpoints of their containers, for every Network mode (names answer from them;
 * unicast mode programs them). The operator implements this in etcd. Each host writes only its own entry.
 */
public interface EndpointDirectory {
    void publish(String network, String host, List<Endpoint> endpoints);

    /** Every host's published endpoints, by host. */
    Map<String, List<Endpoint>> all(String network);

    void withdraw(String network, String host);
}
