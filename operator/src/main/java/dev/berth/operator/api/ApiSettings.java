package dev.berth.operator.api;

import java.net.InetSocketAddress;

/**
 * Where the operator API listens and the address it publishes in the host record for the CLI ({@code host:port};
 * null: worked out from the listen address and the underlay, see {@link ApiAddress}). Off: no API on this host, and
 * {@code berth logs} and {@code berth exec} say so for its containers. There is no unauthenticated mode.
 */
public record ApiSettings(boolean enabled, InetSocketAddress listen, String advertise) {
    public static final int DEFAULT_PORT = 7443;

    public static ApiSettings off() {
        return new ApiSettings(false, null, null);
    }
}
