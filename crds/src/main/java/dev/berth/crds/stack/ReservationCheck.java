package dev.berth.crds.stack;

import dev.berth.crds.CheckContext;
import dev.berth.crds.Quantities;
import dev.berth.crds.SpecCheck;

/**
 * A replica reserving more than its limit lets it use would hold capacity on its host that it can never use, and
 * is almost always a typo (512m and 512g); Kubernetes refuses requests above limits for the same reason.
 */
public final class ReservationCheck implements SpecCheck<StackSpec> {
    @Override
    public Class<StackSpec> specType() {
        return StackSpec.class;
    }

    @Override
    public void check(StackSpec spec, CheckContext context) {
        for (int i = 0; i < spec.services().size(); i++) {
            ResourcesSpec resources = spec.services().get(i).resources();
            if (resources == null || resources.reservations() == null) {
                continue;
            }
            ResourcesSpec.Reservations reserved = resources.reservations();
            String path = "spec.services[" + i + "].resources.reservations";
            if (reserved.cpus() != null && resources.cpus() != null && reserved.cpus() > resources.cpus()) {
                context.error(path + ".cpus", "reserves " + plain(reserved.cpus()) + " CPUs but the limit is "
                        + plain(resources.cpus()) + " (resources.cpus)");
            }
            if (reserved.memory() != null && resources.memory() != null
                    && Quantities.parseBytes(reserved.memory()) > Quantities.parseBytes(resources.memory())) {
                context.error(path + ".memory", "reserves " + reserved.memory() + " but the limit is "
                        + resources.memory() + " (resources.memory)");
            }
        }
    }

    private static String plain(double cpus) {
        return cpus == Math.rint(cpus) ? String.valueOf((long) cpus) : String.valueOf(cpus);
    }
}
