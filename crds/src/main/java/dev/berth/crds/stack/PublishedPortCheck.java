package dev.berth.crds.stack;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;

import java.util.HashMap;

/**
 * Two containers cannot bind one host port, so a second service publishing it would fail on every host, and so would
 * a global service's second replica; say so up front. A replicated service may have any number of replicas: the
 * scheduler gives it at most one per host.
 */
public final class PublishedPortCheck implements SpecCheck<StackSpec> {
    @Override
    public Class<StackSpec> specType() {
        return StackSpec.class;
    }

    @Override
    public void check(StackSpec spec, CheckContext context) {
        var firstPath = new HashMap<String, String>();
        var firstService = new HashMap<String, String>();
        for (int s = 0; s < spec.services().size(); s++) {
            ServiceSpec service = spec.services().get(s);
            for (int p = 0; p < service.ports().size(); p++) {
                PortSpec port = service.ports().get(p);
                if (port.published() == null) {
                    continue;
                }
                // Host IPs are not compared: an empty one binds every address and clashes with all of them.
                String key = port.published() + "/" + port.protocol();
                String path = "spec.services[" + s + "].ports[" + p + "].published";
                String first = firstPath.putIfAbsent(key, path);
                if (first != null) {
                    context.error(path, "host port " + key + " is already published by service \""
                            + firstService.get(key) + "\" (line " + context.line(first) + ")");
                } else {
                    firstService.put(key, service.name());
                }
                // Replicated: the scheduler puts at most one replica per host, whatever maxPerHost says. Global:
                // every eligible host would start all replicas, and all but one would fail to bind.
                if (service.replicas() > 1 && service.effectivePlacement(spec.placement()).global()) {
                    context.error(path, "a global service that publishes a host port can run only 1 replica per "
                            + "host (replicas: " + service.replicas() + "); use replicas: 1, or mode: replicated to "
                            + "spread " + service.replicas() + " replicas over as many hosts");
                }
            }
        }
    }
}
