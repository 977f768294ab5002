package dev.berth.crds.stack;

import java.util.List;

/** What a person declares for a Stack: where it runs, its services, and the plain Docker networks it owns. */
public record StackSpec(Placement placement, List<ServiceSpec> services, List<StackNetwork> networks) {
    public StackSpec {
        services = services == null ? List.of() : List.copyOf(services);
        networks = networks == null ? List.of() : List.copyOf(networks);
    }
}
