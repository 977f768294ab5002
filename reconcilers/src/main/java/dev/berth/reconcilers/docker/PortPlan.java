package dev.berth.reconcilers.docker;

import java.util.Comparator;

/** A container port; {@code published} null means not published on the host, 0 means a random host port. */
public record PortPlan(int target, String protocol, Integer published, String hostIp) implements Canonical.Form {
    /** Ports are a set: the plan lists them in this order, and the hash does not depend on the spec's order. */
    public static final Comparator<PortPlan> ORDER = Comparator.comparing(PortPlan::sortKey);

    public String sortKey() {
        return String.format("%05d/%s/%s/%s", target, protocol, published, hostIp);
    }

    @Override
    public void writeCanonical(Canonical out) {
        out.record("PortPlan")
                .field("target", target)
                .field("protocol", protocol)
                .field("published", published)
                .field("hostIp", hostIp);
    }
}
