package dev.berth.crds.stack;

/** A container port, optionally published on the host ({@code published} null means not published). */
public record PortSpec(int target, Integer published, String protocol, String hostIp) {
    public PortSpec {
        protocol = protocol == null ? "tcp" : protocol;
    }
}
