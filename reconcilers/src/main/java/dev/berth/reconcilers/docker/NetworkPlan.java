package dev.berth.reconcilers.docker;

import java.util.Map;

/** Everything {@code docker network create} needs for one network of a stack. */
public record NetworkPlan(String stack, String declaredName, String name, String driver, boolean internal,
                          String subnet, Map<String, String> labels, String specHash) {
    public NetworkPlan {
        labels = Map.copyOf(labels);
    }
}
