package dev.berth.reconcilers.desired;

import dev.berth.crds.route.RouteSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.reconcilers.route.ServiceLabels;
import dev.berth.reconcilers.route.TraefikLabels;
import dev.berth.reconcilers.stack.HostInfo;
import dev.berth.reconcilers.stack.PlacementRule;
import java.util.Map;
import java.util.Optional;

/**
 * What one host should run of a stack: the stack's spec when it is placed on the host, with the labels of the
 * labels-mode Routes that target its services merged in (they are part of the spec hash). Pure. The operator's
 * stack pass and {@code berth diff} both derive the host's desired state here, so they cannot disagree.
 */
public final class DesiredHere {
    private DesiredHere() {
    }

    /**
     * @param spec empty when the stack does not exist
     * @param routeLabels the labels of labels-mode Routes, per service (the operator's live view of the Routes)
     * @return empty when the stack does not exist or is not placed on {@code host}: everything it has here goes
     */
    public static Optional<StackSpec> stack(String name, Optional<StackSpec> spec, HostInfo host, ServiceLabels routeLabels) {
        return spec.filter(s -> PlacementRule.placedHere(s.placement(), host)).map(s -> routeLabels.apply(name, s));
    }

    /** @param routes Routes by name, as read from etcd; only valid labels-mode Routes that target the stack count */
    public static Optional<StackSpec> stack(String name, Optional<StackSpec> spec, HostInfo host, Map<String, RouteSpec> routes) {
        return stack(name, spec, host, routeLabels(routes));
    }

    /** The labels each service gets from these Routes (kv-mode Routes and Routes to other stacks give none). */
    public static ServiceLabels routeLabels(Map<String, RouteSpec> routes) {
        Map<String, RouteSpec> copy = Map.copyOf(routes);
        return (stack, spec, service) -> TraefikLabels.forService(stack, spec, service, copy);
    }
}
