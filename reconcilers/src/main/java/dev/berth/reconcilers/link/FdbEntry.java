package dev.berth.reconcilers.link;

import java.util.Locale;
import java.util.Objects;

/**
 * A permanent forwarding entry on a VXLAN device: frames for {@code mac} go to the VTEP {@code dst}.
 * The all-zero MAC is the flood entry for a peer (broadcast, unknown unicast, ARP).
 *
 * @param dst the peer's underlay address; null only when read from an entry without one
 */
public record FdbEntry(String mac, String device, String dst) {
    public static final String FLOOD_MAC = "00:00:00:00:00:00";

    public FdbEntry {
        // The kernel prints lower case; normalising here keeps desired and read entries comparable.
        mac = Objects.requireNonNull(mac, "mac").toLowerCase(Locale.ROOT);
        Objects.requireNonNull(device, "device");
    }

    public static FdbEntry flood(String device, String peer) {
        return new FdbEntry(FLOOD_MAC, device, peer);
    }

    public boolean isFlood() {
        return FLOOD_MAC.equals(mac);
    }
}
