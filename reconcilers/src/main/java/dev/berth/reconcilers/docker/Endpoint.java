package dev.berth.reconcilers.docker;

/** A container's address on an overlay: what peers program in unicast mode (FDB: MAC → host; neighbour: IP → MAC). */
public record Endpoint(String ip, String mac) {
}
