package dev.berth.crds.stack;

import dev.berth.crds.CheckContext;
import dev.berth.crds.Quantities;
import dev.berth.crds.SpecCheck;

/**
 * Values Docker refuses at create or start, said at apply with the field's line and column (issue 20): a
 * {@code user} that is no name or id, a {@code securityOpt} the daemon does not know, CPUs beyond what a Linux kernel
 * can have, a memory limit or reservation below Docker's 6 MiB, a limit below its reservation, and a {@code hostIp}
 * that is no IP address (Docker would publish it on every address instead).
 */
public final class DockerValuesCheck implements SpecCheck<StackSpec> {
    /** Linux's largest CONFIG_NR_CPUS (MAXSMP); Docker also refuses more CPUs than the host has, at create. */
    public static final double MAX_CPUS = 8192;
    /** dockerd's linuxMinMemory: the smallest memory limit and reservation it takes. */
    public static final long MIN_MEMORY = 6L * 1024 * 1024;

    @Override
    public Class<StackSpec> specType() {
        return StackSpec.class;
    }

    @Override
    public void check(StackSpec spec, CheckContext context) {
        for (int i = 0; i < spec.services().size(); i++) {
            ServiceSpec s = spec.services().get(i);
            String path = "spec.services[" + i + "]";
            if (s.user() != null) {
                UserSpec.problem(s.user()).ifPresent(p -> context.error(path + ".user", p));
            }
            for (int o = 0; o < s.securityOpt().size(); o++) {
                String at = path + ".securityOpt[" + o + "]";
                SecurityOptions.problem(s.securityOpt().get(o)).ifPresent(p -> context.error(at, p));
            }
            for (int p = 0; p < s.ports().size(); p++) {
                String ip = s.ports().get(p).hostIp();
                if (ip != null && !ContainerOptionsCheck.isIpAddress(ip)) {
                    context.error(path + ".ports[" + p + "].hostIp", "\"" + Texts.shown(ip) + "\" is not an IPv4 or "
                            + "IPv6 address (Docker would publish on every address instead); omit hostIp for all");
                }
            }
            if (s.resources() != null) {
                resources(s.resources(), path + ".resources", context);
            }
        }
    }

    private static void resources(ResourcesSpec r, String path, CheckContext context) {
        cpus(r.cpus(), path + ".cpus", context);
        if (r.reservations() != null) {
            cpus(r.reservations().cpus(), path + ".reservations.cpus", context);
        }
        Long limit = minimum(r.memory(), path + ".memory", "memory limit", context);
        Long reservation = minimum(r.memoryReservation(), path + ".memoryReservation", "memory reservation", context);
        if (limit != null && reservation != null && limit != 0 && limit < reservation) {
            context.error(path + ".memory", "the memory limit " + r.memory() + " is below memoryReservation "
                    + r.memoryReservation() + " (Docker refuses a limit under the soft limit)");
        }
    }

    private static void cpus(Double cpus, String path, CheckContext context) {
        // NaN fails the comparison too.
        if (cpus != null && !(cpus <= MAX_CPUS)) {
            context.error(path, cpus + " CPUs is more than a Linux host can have (" + (long) MAX_CPUS
                    + "); Docker takes at most the host's CPU count");
        }
    }

    /** The quantity in bytes when it is one; an error when it is under {@link #MIN_MEMORY} (0 is "no limit" to Docker). */
    private static Long minimum(String quantity, String path, String what, CheckContext context) {
        if (quantity == null || !Quantities.isQuantity(quantity)) {
            return null; // the schema's format: quantity says so
        }
        long bytes = Quantities.parseBytes(quantity);
        if (bytes != 0 && bytes < MIN_MEMORY) {
            context.error(path, "a " + what + " of " + quantity + " is below Docker's minimum of 6m");
        }
        return bytes;
    }
}
