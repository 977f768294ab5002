package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.docker.ObservedNetwork;
import java.util.List;

/**
 * What Docker has. May hold other stacks' objects too (e.g. the whole host's managed objects): the planner only
 * looks at objects that carry Berth's managed-by label and this stack's owner label.
 */
public record ObservedStack(List<ObservedContainer> containers, List<ObservedNetwork> networks) {
    public ObservedStack {
        containers = containers == null ? List.of() : List.copyOf(containers);
        networks = networks == null ? List.of() : List.copyOf(networks);
    }

    public static ObservedStack empty() {
        return new ObservedStack(List.of(), List.of());
    }
}
