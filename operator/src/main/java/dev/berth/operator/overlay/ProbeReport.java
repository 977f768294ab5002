package dev.berth.operator.overlay;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one host's prober last found about its peers on one Network, stored under
 * {@code <root>/v1/probes/<network>/<host>}. Written when a peer's {@code state} changes (and at most once a minute
 * for a new RTT), so {@code since} is when the peer entered that state. {@code mtu} is the Network's MTU on the
 * reporting host, {@code underlayMtu} its underlay link's.
 *
 * <p>Peers are keyed by host name; each carries the peer's underlay address and overlay gateway as the prober used
 * them, so a peer whose host record has gone can still be programmed and probed while it answers.
 */
public record ProbeReport(String host, String network, int mtu, int underlayMtu, String at, Map<String, PeerProbe> peers) {
    public ProbeReport {
        peers = peers == null ? Map.of() : new TreeMap<>(peers);
    }

    /** Small and full-size probes answered. */
    public static final String OK = "ok";
    /** Small probes answered, full-size ones not: the path cannot carry the Network's MTU. */
    public static final String MTU = "mtu";
    /** No answer to either probe. */
    public static final String UNREACHABLE = "unreachable";
    /** This host has no FDB entry for the peer on the Network's VXLAN device (nothing is sent to it). */
    public static final String NO_FDB = "nofdb";

    /**
     * One peer: {@code state} (one of the constants above) since {@code since}; {@code rttMicros} of the last small
     * probe answered (null when none was).
     */
    public record PeerProbe(String state, Long rttMicros, String since, String underlayIp, String gateway) {
        public boolean answers() {
            return OK.equals(state) || MTU.equals(state);
        }
    }
}
