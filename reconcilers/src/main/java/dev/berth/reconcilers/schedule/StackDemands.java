package dev.berth.reconcilers.schedule;

import dev.berth.crds.Quantities;
import dev.berth.crds.stack.Placement;
import dev.berth.crds.stack.ResourcesSpec;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Stack asks of the scheduler: one {@link ServiceDemand} per replicated service, keyed by the service's name.
 * Global services are not scheduled (every eligible host runs them), so they only appear in
 * {@link #globalServices}. Each service's placement is the stack's with the service's own fields over it.
 */
public final class StackDemands {
    private StackDemands() {
    }

    /**
     * @throws IllegalArgumentException naming the service, for an unknown placement mode, a reservation that is not
     *                                  a valid quantity or negative, negative replicas or a maxPerHost below 1
     */
    public static List<ServiceDemand> of(StackSpec spec) {
        List<ServiceDemand> demands = new ArrayList<>();
        for (ServiceSpec service : spec.services()) {
            Placement p = placement(service, spec);
            if (p.global()) {
                continue;
            }
            try {
                demands.add(new ServiceDemand(service.name(), service.replicas(),
                        new Placement(p.hosts(), p.hostSelector()), reservation(service), p.maxPerHost(), p.spread(),
                        service.ports().stream().anyMatch(port -> port.published() != null), service.failover()));
            } catch (IllegalArgumentException e) {
                throw named(service, e);
            }
        }
        return demands;
    }

    /** The names of the services every eligible host runs ({@code mode: global}), in spec order. */
    public static List<String> globalServices(StackSpec spec) {
        return spec.services().stream().filter(s -> placement(s, spec).global()).map(ServiceSpec::name).toList();
    }

    private static Placement placement(ServiceSpec service, StackSpec spec) {
        Placement p = service.effectivePlacement(spec.placement());
        if (p.mode() != null && !Placement.REPLICATED.equals(p.mode()) && !p.global()) {
            throw new IllegalArgumentException("service " + service.name() + ": unknown placement mode \"" + p.mode()
                    + "\" (replicated or global)");
        }
        return p;
    }

    /** Null when nothing is reserved: no capacity check. */
    private static Reservation reservation(ServiceSpec service) {
        ResourcesSpec resources = service.resources();
        ResourcesSpec.Reservations r = resources == null ? null : resources.reservations();
        if (r == null || (r.cpus() == null && r.memory() == null)) {
            return null;
        }
        long cpuMillis = 0;
        if (r.cpus() != null) {
            if (!Double.isFinite(r.cpus()) || r.cpus() < 0) {
                throw new IllegalArgumentException("reservations.cpus must be a non-negative number, got " + r.cpus());
            }
            cpuMillis = Math.round(r.cpus() * 1000);
        }
        long memoryBytes = 0;
        if (r.memory() != null) {
            try {
                memoryBytes = Quantities.parseBytes(r.memory());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("reservations.memory: " + e.getMessage(), e);
            }
        }
        return new Reservation(cpuMillis, memoryBytes);
    }

    private static IllegalArgumentException named(ServiceSpec service, IllegalArgumentException e) {
        String prefix = service.name() + ": ";
        String message = e.getMessage() != null && e.getMessage().startsWith(prefix)
                ? e.getMessage() : prefix + e.getMessage();
        return new IllegalArgumentException("service " + message, e);
    }
}
