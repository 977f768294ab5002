package dev.berth.reconcilers.route;

import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Extra labels for a stack's service containers, supplied by the runtime (labels-mode Routes). The stack
 * reconciler merges them into the service's labels before planning, so they are part of the spec hash: a changed
 * route replaces the containers, like any other label change.
 */
@FunctionalInterface
public interface ServiceLabels {
    ServiceLabels NONE = (stack, spec, service) -> Map.of();

    Map<String, String> labelsFor(String stack, StackSpec spec, String service);

    /**
     * False until the source of the labels is known (the Routes listed from etcd): planning before would give
     * containers without their labels, replaced again a moment later.
     */
    default boolean ready() {
        return true;
    }

    /** {@code spec} with each service's extra labels merged in (the service's own labels win). */
    default StackSpec apply(String stack, StackSpec spec) {
        List<ServiceSpec> services = new ArrayList<>();
        boolean changed = false;
        for (ServiceSpec s : spec.services()) {
            Map<String, String> extra = labelsFor(stack, spec, s.name());
            if (extra.isEmpty()) {
                services.add(s);
                continue;
            }
            changed = true;
            Map<String, String> labels = new TreeMap<>(extra);
            labels.putAll(s.labels());
            services.add(s.withLabels(labels));
        }
        return changed ? new StackSpec(spec.placement(), services, spec.networks()) : spec;
    }
}
