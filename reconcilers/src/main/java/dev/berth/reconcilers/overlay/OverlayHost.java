package dev.berth.reconcilers.overlay;

/** This host as the overlay sees it: its name, the underlay address VXLAN binds to, and that link's MTU. */
public record OverlayHost(String name, String underlayIp, int underlayMtu) {
}
