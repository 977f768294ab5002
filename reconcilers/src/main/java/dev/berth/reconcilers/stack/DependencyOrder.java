package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.ContainerPlan;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.labels.BerthLabels;

import dev.berth.crds.stack.DependsOn;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Pure: services in dependsOn order, and whether a service's dependencies are up (or healthy, or completed) yet. */
final class DependencyOrder {
    private DependencyOrder() {
    }

    /** Container plans with every service after the services it depends on (declaration order otherwise). */
    static List<ContainerPlan> sort(StackSpec spec, List<ContainerPlan> plans) {
        Map<String, List<String>> deps = new HashMap<>();
        spec.services().forEach(s -> deps.put(s.name(), s.dependsOn().stream().map(DependsOn::service).toList()));
        List<String> order = new ArrayList<>();
        Set<String> visiting = new HashSet<>();
        for (ServiceSpec s : spec.services()) {
            visit(s.name(), deps, order, visiting);
        }
        List<ContainerPlan> sorted = new ArrayList<>(plans);
        sorted.sort(java.util.Comparator.comparingInt(p -> order.indexOf(p.service())));
        return sorted;
    }

    private static void visit(String service, Map<String, List<String>> deps, List<String> order, Set<String> visiting) {
        if (order.contains(service) || !visiting.add(service)) {
            return;
        }
        for (String d : deps.getOrDefault(service, List.of())) {
            visit(d, deps, order, visiting);
        }
        order.add(service);
    }

    /** Why the service cannot start yet, or empty when every dependency is met. */
    static Optional<String> unmet(ServiceSpec service, List<ObservedContainer> observed, List<StackAction> creates,
                                  Map<String, ServiceSpec> services, List<ContainerPlan> plans) {
        for (DependsOn dep : service.dependsOn()) {
            Set<String> hashes = new HashSet<>();
            plans.stream().filter(p -> p.service().equals(dep.service())).forEach(p -> hashes.add(p.specHash()));
            if (hashes.isEmpty()) {
                // No replica of the dependency runs on this host (the scheduler put them elsewhere): start order is
                // kept per host only, as Swarm ignores depends_on, rather than waiting for ever.
                continue;
            }
            if (DependsOn.COMPLETED.equals(dep.condition())) {
                Optional<String> why = uncompleted(dep.service(), observed, plans);
                if (why.isPresent()) {
                    return why;
                }
                continue;
            }
            boolean checked = services.containsKey(dep.service()) && services.get(dep.service()).healthcheck() != null;
            boolean healthyNeeded = DependsOn.HEALTHY.equals(dep.condition()) && checked;
            boolean met = observed.stream().anyMatch(c -> dep.service().equals(c.labels().get(BerthLabels.SERVICE))
                    && hashes.contains(c.labels().get(BerthLabels.SPEC_HASH)) && c.running()
                    && (!healthyNeeded || c.healthy()));
            boolean createdNow = creates.stream().anyMatch(a -> a instanceof StackAction.CreateContainer cc
                    && cc.plan().service().equals(dep.service()));
            if (!met && !(createdNow && !healthyNeeded)) {
                return Optional.of("service " + dep.service() + (healthyNeeded ? " to be healthy" : " to run"));
            }
        }
        return Optional.empty();
    }

    /**
     * service_completed_successfully: every replica of the dependency planned on this host has its container of the
     * current spec exited 0 (one that failed holds the dependant back for good, as in Compose, and says so).
     */
    private static Optional<String> uncompleted(String dependency, List<ObservedContainer> observed,
                                                List<ContainerPlan> plans) {
        for (ContainerPlan p : plans) {
            if (!p.service().equals(dependency)) {
                continue;
            }
            Optional<FinishedReplica> ended = observed.stream().filter(c -> FinishedReplica.isFinished(p, c))
                    .findFirst().map(c -> FinishedReplica.of(p, c));
            if (ended.isPresent() && ended.get().failed()) {
                return Optional.of("service " + dependency + " to complete successfully (" + p.name() + " exited "
                        + ended.get().exitCode() + ")");
            }
            if (ended.isEmpty() || !ended.get().completed()) {
                return Optional.of("service " + dependency + " to complete successfully");
            }
        }
        return Optional.empty();
    }
}
