package dev.berth.reconcilers.docker;

/**
 * A container's address on an overlay Network, as its host publishes it. Unicast mode programs {@code ip} and
 * {@code mac} (FDB: MAC → host; neighbour: IP → MAC); names across hosts answer with {@code ip} under the
 * container's name and its service. {@code ready}: running, and healthy when it has a health check. The name
 * fields are null for containers Berth does not run (and in lists older versions wrote).
 */
public record Endpoint(String ip, String mac, String container, String stack, String service, Integer replica,
                       boolean ready) {
    /** Address only: a container that carries no stack labels. */
    public Endpoint(String ip, String mac) {
        this(ip, mac, null, null, null, null, false);
    }
}
