package dev.berth.operator.cli;

import dev.berth.crds.stack.Placement;
import java.util.stream.Collectors;

/** Placement in one short cell: "all hosts", "host-a,host-b", "role=web". */
final class Placements {
    private Placements() {
    }

    static String describe(Placement placement) {
        if (placement == null || placement.isEmpty()) {
            return "all hosts";
        }
        String hosts = String.join(",", placement.hosts());
        String selector = placement.hostSelector().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
        return hosts.isEmpty() ? selector : selector.isEmpty() ? hosts : hosts + " or " + selector;
    }
}
