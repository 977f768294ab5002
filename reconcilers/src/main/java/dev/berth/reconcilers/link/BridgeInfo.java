package dev.berth.reconcilers.link;

/** A bridge seen in the namespace (usually Docker's); Berth reads bridges but never changes or deletes them. */
public record BridgeInfo(String name, int mtu, boolean up) {
}
