package dev.berth.crds.stack;

import java.util.List;
import java.util.Map;

/**
 * Which hosts run a stack. A host is chosen when its name is listed or its labels match every selector entry.
 * No placement at all (both empty) means every host, until a scheduler exists.
 */
public record Placement(List<String> hosts, Map<String, String> hostSelector) {
    public Placement {
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
        hostSelector = hostSelector == null ? Map.of() : Map.copyOf(hostSelector);
    }

    public boolean isEmpty() {
        return hosts.isEmpty() && hostSelector.isEmpty();
    }
}
