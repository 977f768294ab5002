package dev.berth.reconcilers.docker;

/** A container port; {@code published} null means not published on the host, 0 means a random host port. */
public record PortPlan(int target, String protocol, Integer published, String hostIp) {
    public String sortKey() {
        return String.format("%05d/%s/%s/%s", target, protocol, published, hostIp);
    }
}
