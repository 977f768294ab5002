package dev.berth.reconcilers.docker;

import dev.berth.reconcilers.labels.BerthLabels;

import java.util.Map;

/** Everything {@code docker network create} needs for one network of a stack. */
public record NetworkPlan(String stack, String declaredName, String name, String driver, boolean internal,
                          String subnet, Map<String, String> labels, String specHash) implements Canonical.Form {
    public NetworkPlan {
        labels = Map.copyOf(labels);
    }

    /** What the spec hash is made of; stack and declared name are left out because the name and labels carry them. */
    @Override
    public void writeCanonical(Canonical out) {
        out.record("NetworkPlan")
                .exclude("stack", "in the name and the owner label")
                .exclude("declaredName", "in the name and the network label")
                .field("name", name)
                .field("driver", driver)
                .field("internal", internal)
                .field("subnet", subnet)
                .field("labels", Canonical.without(labels, BerthLabels.SPEC_HASH))
                .exclude("specHash", "the hash itself");
    }
}
