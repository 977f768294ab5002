package dev.berth.operator.control;

import java.util.Optional;
import java.util.function.Predicate;

/**
 * What a stack needs to know about the networks its services join but do not own: whether a Berth Network (overlay)
 * is declared in etcd at all, whether its Docker network exists on this host yet, and this host's gateway address on
 * it (where the operator answers names for the containers of this host); else whether a Docker network of that exact
 * name exists here (one made outside Berth, such as a Traefik's {@code traefik_proxy}), which the stack joins as it is.
 */
public interface ExternalNetworks {
    boolean declared(String network);

    boolean readyHere(String network);

    /** The IPAM gateway of the Network's Docker network here; empty while it does not exist (or names none). */
    default Optional<String> gateway(String network) {
        return Optional.empty();
    }

    /** A Docker network of exactly this name exists on this host (it need not be Berth's). */
    default boolean dockerNetworkHere(String network) {
        return false;
    }

    /** {@code berth}, and the Docker networks {@code docker} finds on this host for names that are no Berth Network. */
    static ExternalNetworks orDocker(ExternalNetworks berth, Predicate<String> docker) {
        return new ExternalNetworks() {
            @Override
            public boolean declared(String network) {
                return berth.declared(network);
            }

            @Override
            public boolean readyHere(String network) {
                return berth.readyHere(network);
            }

            @Override
            public Optional<String> gateway(String network) {
                return berth.gateway(network);
            }

            @Override
            public boolean dockerNetworkHere(String network) {
                return docker.test(network);
            }
        };
    }

    /** For hosts without overlays: nothing is declared. */
    static ExternalNetworks none() {
        return new ExternalNetworks() {
            @Override
            public boolean declared(String network) {
                return false;
            }

            @Override
            public boolean readyHere(String network) {
                return false;
            }
        };
    }
}
