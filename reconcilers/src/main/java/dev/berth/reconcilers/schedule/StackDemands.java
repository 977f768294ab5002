package dev.berth.reconcilers.schedule;

import dev.berth.crds.Quantities;
import dev.berth.crds.stack.Placement;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import java.util.ArrayList;
import java.util.List;

/** What the replicated services of one stack ask of the scheduler (global services run on every eligible host). */
public final class StackDemands {
    private StackDemands() {
    }

    public static List<ServiceDemand> of(StackSpec spec) {
        List<ServiceDemand> demands = new ArrayList<>();
        for (ServiceSpec s : spec.services()) {
            Placement p = s.effectivePlacement(spec.placement());
            if (p.global()) {
                continue;
            }
            Reservation reservation = null;
            if (s.resources() != null && s.resources().reservations() != null) {
                var r = s.resources().reservations();
                long cpu = r.cpus() == null ? 0 : Math.round(r.cpus() * 1000);
                long memory = r.memory() == null ? 0 : Quantities.parseBytes(r.memory());
                reservation = new Reservation(cpu, memory);
            }
            boolean fixedPort = s.ports().stream().anyMatch(port -> port.published() != null);
            demands.add(new ServiceDemand(s.name(), s.replicas(), new Placement(p.hosts(), p.hostSelector()),
                    reservation, p.maxPerHost(), p.spread(), fixedPort));
        }
        return demands;
    }
}
