package dev.berth.operator.control;

import dev.berth.reconcilers.docker.ObservedNetwork;
import dev.berth.reconcilers.labels.BerthLabels;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a stack needs to know about the networks its services join but do not own: whether a Berth Network (overlay)
 * is declared in etcd at all, whether its Docker network exists on this host yet, and this host's gateway address on
 * it (where the operator answers names for the containers of this host); else whether a Docker network of that exact
 * name exists here (one made outside Berth, such as a Traefik's {@code traefik_proxy}), which the stack joins as it is.
 */
public interface ExternalNetworks {
    /** How a stack joins a network it names but does not declare in its own spec.networks. */
    enum Kind {
        /** A declared Berth Network: joined through its Docker network here, names answered at its gateway. */
        BERTH,
        /** A Docker network made outside Berth: joined by its exact name with Docker's aliases, never changed. */
        DOCKER,
        /** Neither (or a Docker network Berth made for a Network not declared now): nothing planned. */
        NOT_FOUND
    }

    boolean declared(String network);

    /** The Networks are listed from etcd: until then an undeclared name may yet be a Network. */
    default boolean synced() {
        return true;
    }

    /**
     * The one classification, shared by the stack reconciler and {@code berth diff}: a declared Network is Berth's;
     * else a Docker network here that Berth did not make is joined as it is; else the name is not found.
     */
    default Kind kind(String network) {
        if (declared(network)) {
            return Kind.BERTH;
        }
        return dockerNetworkHere(network) ? Kind.DOCKER : Kind.NOT_FOUND;
    }

    boolean readyHere(String network);

    /** The IPAM gateway of the Network's Docker network here; empty while it does not exist (or names none). */
    default Optional<String> gateway(String network) {
        return Optional.empty();
    }

    /** A Docker network of exactly this name exists on this host and Berth did not make it. */
    default boolean dockerNetworkHere(String network) {
        return false;
    }

    /**
     * Whether a Docker network was made outside Berth. One carrying Berth's labels is the Docker network of a Network
     * (or a stack) that is only briefly out of sight (Networks not listed yet, a stored Network turned invalid, a
     * Network deleted while stacks use it): joining it as an outside network would drop the names and add Docker's
     * aliases, changing the spec hash and so recreating every container on it (and again once the Network is seen).
     */
    static boolean outsideBerth(ObservedNetwork network) {
        return !network.labels().containsKey(BerthLabels.MANAGED_BY) && !network.labels().containsKey(BerthLabels.OWNER);
    }

    /**
     * {@code berth}, and the Docker networks {@code docker} finds on this host (by exact name) for names that are no
     * Berth Network, those Berth made left out.
     */
    static ExternalNetworks orDocker(ExternalNetworks berth, Function<String, Optional<ObservedNetwork>> docker) {
        return new ExternalNetworks() {
            @Override
            public boolean declared(String network) {
                return berth.declared(network);
            }

            @Override
            public boolean synced() {
                return berth.synced();
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
                return docker.apply(network).filter(ExternalNetworks::outsideBerth).isPresent();
            }
        };
    }

    /**
     * The Networks declared by name, none of them known to be here: what {@code berth diff} reads from etcd (it takes
     * the gateways from Docker itself).
     */
    static ExternalNetworks declaredIn(java.util.Set<String> names) {
        return new ExternalNetworks() {
            @Override
            public boolean declared(String network) {
                return names.contains(network);
            }

            @Override
            public boolean readyHere(String network) {
                return false;
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
