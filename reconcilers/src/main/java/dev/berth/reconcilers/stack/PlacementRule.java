package dev.berth.reconcilers.stack;

import dev.berth.crds.stack.Placement;
import java.util.Map;

/** Decides whether a stack runs on a host. */
public final class PlacementRule {
    private PlacementRule() {
    }

    /**
     * No placement (null or empty) means every host; otherwise the host is listed by name, or a non-empty
     * selector matches every one of its entries against the host's labels.
     */
    public static boolean placedHere(Placement placement, HostInfo host) {
        if (placement == null || placement.isEmpty()) {
            return true;
        }
        if (placement.hosts().contains(host.name())) {
            return true;
        }
        if (placement.hostSelector().isEmpty()) {
            return false;
        }
        for (Map.Entry<String, String> e : placement.hostSelector().entrySet()) {
            if (!e.getValue().equals(host.labels().get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
