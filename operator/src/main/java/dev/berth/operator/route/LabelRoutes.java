package dev.berth.operator.route;

import dev.berth.crds.route.RouteSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.kit.Source;
import dev.berth.operator.kit.Topic;
import dev.berth.operator.store.StoredObject;
import dev.berth.reconcilers.desired.DesiredHere;
import dev.berth.reconcilers.route.ServiceLabels;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The labels-mode Routes, as labels on the containers of the stacks they target. A source of the names of stacks
 * whose Traefik labels changed, so the stack controller looks at them again.
 */
final class LabelRoutes implements ServiceLabels, Source<String> {
    private final DesiredInformer routes;
    private final Topic<String> changedStacks = new Topic<>("label routes");
    private volatile Map<String, RouteSpec> byRoute = Map.of();
    /** The same labels {@code berth diff} derives from the Routes it reads (one function: DesiredHere). */
    private volatile ServiceLabels labels = DesiredHere.routeLabels(Map.of());

    LabelRoutes(DesiredInformer routes) {
        this.routes = routes;
        routes.addHandler(route -> refresh());
    }

    @Override
    public void addHandler(Consumer<String> handler) {
        changedStacks.addHandler(handler);
    }

    @Override
    public Map<String, String> labelsFor(String stack, StackSpec spec, String service) {
        return labels.labelsFor(stack, spec, service);
    }

    @Override
    public boolean ready() {
        return routes.synced();
    }

    /** Runs on the routes informer's one thread, so refreshes never interleave. */
    private void refresh() {
        Map<String, RouteSpec> next = new HashMap<>();
        for (String name : routes.names()) {
            Optional<StoredObject> route = routes.get(name);
            if (route.isPresent() && !route.get().valid()) {
                // Invalid YAML in etcd is not a deleted route: keep its last valid labels on the containers.
                Optional.ofNullable(byRoute.get(name)).ifPresent(s -> next.put(name, s));
                continue;
            }
            route.map(o -> o.resource().orElseThrow().spec(RouteSpec.class))
                    .filter(s -> RouteSpec.LABELS.equals(s.mode())).ifPresent(s -> next.put(name, s));
        }
        Set<String> touched = new HashSet<>();
        byRoute.forEach((n, s) -> {
            if (!s.equals(next.get(n))) {
                touched.add(s.target().stack());
            }
        });
        next.forEach((n, s) -> {
            if (!s.equals(byRoute.get(n))) {
                touched.add(s.target().stack());
            }
        });
        byRoute = Map.copyOf(next);
        labels = DesiredHere.routeLabels(byRoute);
        touched.forEach(changedStacks::publish);
    }
}
