package dev.berth.crds.stack;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;

import java.util.HashMap;

/** Two containers cannot bind one host port, so the second service would fail on every host; say so up front. */
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
                if (service.replicas() > 1) {
                    context.error(path, "a service that publishes a host port can have at most 1 replica per host "
                            + "(replicas: " + service.replicas() + ")");
                }
            }
        }
    }
}
