package dev.berth.operator.control;

import java.util.Optional;

/**
 * What a stack needs to know about the Berth Networks (overlays) its services join: whether the Network is
 * declared in etcd at all, whether its Docker network exists on this host yet, and this host's gateway address on
 * it (where the operator answers names for the containers of this host).
 */
public interface ExternalNetworks {
    boolean declared(String network);

    boolean readyHere(String network);

    /** The IPAM gateway of the Network's Docker network here; empty while it does not exist (or names none). */
    default Optional<String> gateway(String network) {
        return Optional.empty();
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
