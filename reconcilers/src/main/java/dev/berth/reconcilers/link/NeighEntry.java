package dev.berth.reconcilers.link;

import java.util.Locale;
import java.util.Objects;

/** A permanent neighbour (ARP) entry on a bridge, so a remote container's address resolves without flooding. */
public record NeighEntry(String ip, String mac, String device) {
    public NeighEntry {
        Objects.requireNonNull(ip, "ip");
        mac = Objects.requireNonNull(mac, "mac").toLowerCase(Locale.ROOT);
        Objects.requireNonNull(device, "device");
    }
}
