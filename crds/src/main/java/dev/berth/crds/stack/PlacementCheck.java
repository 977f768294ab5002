package dev.berth.crds.stack;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;

/**
 * {@code maxPerHost} and {@code spread} shape how the scheduler places replicas; a global service is not scheduled
 * (every eligible host runs it), so they would silently do nothing there. Written where they cannot apply, they are
 * an error at the field: a person who wrote them expected an effect. Inherited from the stack's placement into a
 * service that is global on its own, they are ignored (the stack's value still serves the replicated services, and
 * a service cannot unset an inherited field).
 */
public final class PlacementCheck implements SpecCheck<StackSpec> {
    @Override
    public Class<StackSpec> specType() {
        return StackSpec.class;
    }

    @Override
    public void check(StackSpec spec, CheckContext context) {
        Placement stack = spec.placement();
        if (stack != null && stack.global() && spec.services().stream().allMatch(s -> s.effectivePlacement(stack).global())) {
            onlyReplicated(stack, "spec.placement", "the stack's placement is global", context);
        }
        for (int i = 0; i < spec.services().size(); i++) {
            ServiceSpec service = spec.services().get(i);
            if (service.placement() != null && service.effectivePlacement(stack).global()) {
                String why = service.placement().mode() != null ? "this service is global"
                        : "this service is global (mode inherited from spec.placement)";
                onlyReplicated(service.placement(), "spec.services[" + i + "].placement", why, context);
            }
        }
    }

    private static void onlyReplicated(Placement placement, String path, String why, CheckContext context) {
        if (placement.maxPerHost() != null) {
            context.error(path + ".maxPerHost", "maxPerHost applies to replicated services only, but " + why
                    + ": every eligible host runs replicas containers; set replicas, or remove maxPerHost");
        }
        if (placement.spread() != null) {
            context.error(path + ".spread", "spread applies to replicated services only, but " + why
                    + ": every eligible host runs it already; remove spread or use mode: replicated");
        }
    }
}
