package dev.berth.operator.control;

/**
 * What a stack needs to know about the Berth Networks (overlays) its services join: whether the Network is
 * declared in etcd at all, and whether its Docker network exists on this host yet.
 */
public interface ExternalNetworks {
    boolean declared(String network);

    boolean readyHere(String network);

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
