package dev.berth.operator.cli;

import dev.berth.crds.Resource;
import dev.berth.crds.stack.StackSpec;
import dev.berth.operator.store.StoredValue;
import java.io.PrintWriter;
import java.util.List;
import java.util.Collection;

/** Says so when a stack without placement will run on every one of several known hosts. */
final class PlacementNotice {
    private PlacementNotice() {
    }

    static void print(StoreSession session, Collection<Resource> applied, PrintWriter err) {
        List<String> hosts = session.kv().list(session.store().keys().hostsPrefix()).values().stream()
                .map(StoredValue::key).map(k -> k.substring(k.lastIndexOf('/') + 1)).toList();
        if (hosts.size() < 2) {
            return;
        }
        for (Resource r : applied) {
            if (r.spec() instanceof StackSpec stack && (stack.placement() == null || stack.placement().isEmpty())) {
                err.println("note: " + r.key() + " has no placement, so it runs on all " + hosts.size()
                        + " known hosts (" + String.join(", ", hosts) + ")");
            }
        }
        err.flush();
    }
}
