package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.ContainerPlan;
import java.util.List;

/**
 * A plan: the actions, in order, and the container plans of every desired replica they work towards (empty when
 * the stack must go). Counting replicas reads the latter, so a pass plans once.
 */
public record StackPlan(List<StackAction> actions, List<ContainerPlan> containers) {
    public StackPlan {
        actions = List.copyOf(actions);
        containers = List.copyOf(containers);
    }
}
