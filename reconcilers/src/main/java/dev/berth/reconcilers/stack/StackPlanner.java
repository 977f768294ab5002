package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.ContainerPlan;
import dev.berth.reconcilers.docker.NetworkPlan;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.docker.ObservedNetwork;
import dev.berth.crds.ObjectKey;
import dev.berth.reconcilers.labels.BerthLabels;

import dev.berth.crds.stack.StackSpec;
import dev.berth.reconcilers.stack.StackAction.CreateContainer;
import dev.berth.reconcilers.stack.StackAction.CreateNetwork;
import dev.berth.reconcilers.stack.StackAction.RemoveContainer;
import dev.berth.reconcilers.stack.StackAction.RemoveNetwork;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.berth.crds.stack.DependsOn;
import dev.berth.crds.stack.ServiceSpec;
import java.util.Optional;
import java.util.Set;

/**
 * The pure heart of the stack reconciler: {@code (desired, observed) -> actions}, no I/O.
 *
 * <p>Order of the actions: create missing networks; remove containers; replace changed networks (remove, then
 * create); create containers; remove networks no longer declared. Containers go before the networks they sit on,
 * because Docker refuses to remove a network with endpoints.
 *
 * <p>Choices: a container is kept only when it carries this plan's spec hash and name and is running — or is
 * {@code restarting}/{@code paused}, which we leave to Docker's restart policy and to whoever paused it — or has
 * exited under {@code restart: no} or {@code on-failure}: that policy says the container is not started again, so it
 * has ended (Compose's and Swarm's {@code condition: none}; a one-shot init or migration job ran), and it is left as
 * it is until the spec changes (a rollout, {@code berth restart}) or it is removed ({@link FinishedReplica}). Anything
 * else (exited under always/unless-stopped, created but never started) is removed and created again. A container
 * {@code dead} or {@code removing} (Docker failed to remove it, typically after a dockerd crash mid-create, or is at
 * it) is removed again every pass without holding up anything: while Docker keeps its name, the replica runs under a
 * stand-in name ({@link HeldNames}).
 */
public final class StackPlanner {
    private static final Set<String> LEFT_TO_DOCKER = Set.of("running", "restarting", "paused");
    private static final Comparator<ObservedContainer> CONTAINER_ORDER =
            Comparator.comparing(ObservedContainer::name).thenComparing(ObservedContainer::id);
    private static final Comparator<ObservedNetwork> NETWORK_ORDER =
            Comparator.comparing(ObservedNetwork::name).thenComparing(ObservedNetwork::id);

    private StackPlanner() {
    }

    /**
     * @param desired empty when the stack was deleted or is not placed on this host: everything it owns goes
     * @param observed may hold other objects too; only this stack's managed ones are considered
     */
    public static List<StackAction> plan(String instance, String stack, Optional<StackSpec> desired,
                                         ObservedStack observed) {
        return plan(instance, stack, desired, observed, System.currentTimeMillis() / 1000);
    }

    /** @param nowEpochSeconds the time health timeouts of start-first updates are measured against */
    public static List<StackAction> plan(String instance, String stack, Optional<StackSpec> desired,
                                         ObservedStack observed, long nowEpochSeconds) {
        return make(instance, stack, desired, observed, nowEpochSeconds).actions();
    }

    /** The actions together with the container plans they aim at, every replica of every service on this host. */
    public static StackPlan make(String instance, String stack, Optional<StackSpec> desired, ObservedStack observed,
                                 long nowEpochSeconds) {
        return makeHere(instance, stack, desired.map(StackHere::all), observed, nowEpochSeconds);
    }

    /**
     * The actions together with the container plans they aim at (what a pass counts replicas against).
     *
     * @param here empty when the stack was deleted: everything it owns here goes. A {@code here} that runs nothing
     *             (its replicas assigned elsewhere) retires its running replicas with their drain, then the rest
     */
    public static StackPlan makeHere(String instance, String stack, Optional<StackHere> here, ObservedStack observed,
                                     long nowEpochSeconds) {
        Optional<StackSpec> desired = here.map(StackHere::spec);
        String owner = ObjectKey.stack(stack).toString();
        List<ObservedContainer> containers = observed.containers().stream()
                .filter(c -> BerthLabels.isManaged(c.labels(), instance) && owner.equals(c.labels().get(BerthLabels.OWNER)))
                .sorted(CONTAINER_ORDER).toList();
        List<ObservedNetwork> networks = observed.networks().stream()
                .filter(n -> BerthLabels.isManaged(n.labels(), instance) && owner.equals(n.labels().get(BerthLabels.OWNER)))
                .sorted(NETWORK_ORDER).toList();
        if (desired.isEmpty()) {
            return new StackPlan(removeAll(containers, networks), List.of());
        }
        boolean runsNothing = !here.get().runsAnything();
        if (!runsNothing && here.get().replicas().values().stream().allMatch(java.util.Set::isEmpty)) {
            // Only undecided services (no assignment yet) and nothing to run: no network is made for replicas that
            // may well go elsewhere, and nothing that runs is touched until the scheduler has decided.
            return new StackPlan(List.of(), List.of());
        }
        // A host left with nothing of the stack keeps no network of it, once its moved replicas have drained.
        Map<String, NetworkPlan> networkPlans = runsNothing ? Map.of() : PlanBuilder.networks(instance, stack, desired.get());
        // A replica whose name Docker holds for a container it cannot remove runs under a stand-in name meanwhile.
        java.util.Set<String> held = HeldNames.of(containers);
        List<ContainerPlan> containerPlans = PlanBuilder.containers(instance, stack, here.get(), networkPlans).stream()
                .map(p -> HeldNames.place(p, held)).toList();

        List<StackAction> networkCreates = new ArrayList<>();
        List<StackAction> networkReplaces = new ArrayList<>();
        List<StackAction> networkRemoves = new ArrayList<>();
        planNetworks(networkPlans, networks, networkCreates, networkReplaces, networkRemoves);

        List<StackAction> containerRemoves = new ArrayList<>();
        List<StackAction> containerCreates = new ArrayList<>();
        planContainers(here.get(), containerPlans, containers, containerRemoves, containerCreates, nowEpochSeconds,
                !networkReplaces.isEmpty());

        List<StackAction> actions = new ArrayList<>();
        actions.addAll(networkCreates);
        actions.addAll(containerRemoves);
        actions.addAll(networkReplaces);
        actions.addAll(containerCreates);
        if (containerRemoves.stream().noneMatch(a -> a instanceof StackAction.RetireContainer)) {
            // A draining container still sits on its networks: they go in a later pass.
            actions.addAll(networkRemoves);
        }
        return new StackPlan(actions, containerPlans);
    }

    private static List<StackAction> removeAll(List<ObservedContainer> containers, List<ObservedNetwork> networks) {
        List<StackAction> actions = new ArrayList<>();
        for (ObservedContainer c : containers) {
            actions.add(HeldNames.holds(c) ? new StackAction.RemoveLeftover(c.id(), c.name(), c.state())
                    : new RemoveContainer(c.id(), c.name(), "stack not wanted on this host"));
        }
        for (ObservedNetwork n : networks) {
            actions.add(new RemoveNetwork(n.id(), n.name(), "stack not wanted on this host"));
        }
        return List.copyOf(actions);
    }

    private static void planNetworks(Map<String, NetworkPlan> plans, List<ObservedNetwork> observed,
                                     List<StackAction> creates, List<StackAction> replaces, List<StackAction> removes) {
        Map<String, List<ObservedNetwork>> byDeclared = new LinkedHashMap<>();
        for (ObservedNetwork n : observed) {
            String declared = n.labels().get(BerthLabels.NETWORK);
            if (declared == null || !plans.containsKey(declared)) {
                removes.add(new RemoveNetwork(n.id(), n.name(), "not declared"));
            } else {
                byDeclared.computeIfAbsent(declared, k -> new ArrayList<>()).add(n);
            }
        }
        for (NetworkPlan plan : plans.values()) {
            List<ObservedNetwork> candidates = byDeclared.getOrDefault(plan.declaredName(), List.of());
            Optional<ObservedNetwork> keeper = candidates.stream()
                    .filter(n -> plan.name().equals(n.name())
                            && plan.specHash().equals(n.labels().get(BerthLabels.SPEC_HASH)))
                    .findFirst();
            if (keeper.isPresent()) {
                candidates.stream().filter(n -> n != keeper.get())
                        .forEach(n -> removes.add(new RemoveNetwork(n.id(), n.name(), "duplicate")));
            } else if (candidates.isEmpty()) {
                creates.add(new CreateNetwork(plan));
            } else {
                candidates.forEach(n -> replaces.add(new RemoveNetwork(n.id(), n.name(), "spec changed")));
                replaces.add(new CreateNetwork(plan));
            }
        }
    }

    private record Slot(String service, int replica) {
    }

    private static void planContainers(StackHere here, List<ContainerPlan> plans, List<ObservedContainer> observed,
                                       List<StackAction> removes, List<StackAction> creates, long now,
                                       boolean networksReplaced) {
        StackSpec spec = here.spec();
        Map<String, ServiceSpec> services = new HashMap<>();
        spec.services().forEach(s -> services.put(s.name(), s));
        Map<String, Integer> surge = new HashMap<>();
        Map<Slot, List<ObservedContainer>> bySlot = new HashMap<>();
        for (ObservedContainer c : observed) {
            if (HeldNames.holds(c)) {
                // Not a replica (it never runs again) and not in the way: its replica has a stand-in name (HeldNames).
                // Removed again every pass; a failure there stops nothing else.
                removes.add(new StackAction.RemoveLeftover(c.id(), c.name(), c.state()));
                continue;
            }
            String service = c.labels().get(BerthLabels.SERVICE);
            Integer replica = parseReplica(c.labels().get(BerthLabels.REPLICA));
            if (service == null || !services.containsKey(service)) {
                removes.add(new RemoveContainer(c.id(), c.name(), "service not declared"));
            } else if (here.undecided().contains(service)) {
                // Not scheduled yet: nothing says this replica is gone, so it stays (never delete on doubt).
                continue;
            } else if (replica == null || replica < 1) {
                removes.add(new RemoveContainer(c.id(), c.name(), "bad replica label"));
            } else if (here.held().contains(service) && here.of(service).contains(replica)) {
                // Its files cannot be made here this pass: it keeps running with the files it has.
                continue;
            } else if (here.of(service).contains(replica)) {
                // Kept below; numbers are the assignment's, which may exceed replicas after a scale-down.
                bySlot.computeIfAbsent(new Slot(service, replica), k -> new ArrayList<>()).add(c);
            } else if (replica > services.get(service).replicas()) {
                removes.add(new RemoveContainer(c.id(), c.name(), "scaled down"));
            } else {
                // Moved (a drain, a rebalance, a failover that came back): a running one drains like an update's.
                removes.add(c.running() ? new StackAction.RetireContainer(c.id(), c.name(),
                        drainMillis(services.get(service)), null)
                        : new RemoveContainer(c.id(), c.name(), "replica assigned to another host"));
            }
        }
        for (ContainerPlan plan : DependencyOrder.sort(spec, plans)) {
            if (here.held().contains(plan.service())) {
                continue; // planned without its files: nothing is created or replaced from that plan
            }
            List<ObservedContainer> candidates = bySlot.getOrDefault(new Slot(plan.service(), plan.replica()), List.of());
            ServiceSpec service = services.get(plan.service());
            Optional<List<StackAction>> rollout = Rollout.plan(service, plan, candidates, surge, now);
            if (rollout.isPresent()) {
                rollout.get().forEach(a -> (a instanceof CreateContainer || a instanceof StackAction.Wait ? creates : removes).add(a));
                continue;
            }
            // Prefer a running keeper over a restarting or paused one; candidates are already in a stable order.
            Optional<ObservedContainer> keeper = candidates.stream()
                    .filter(c -> reasonToReplace(plan, c) == null)
                    .min(Comparator.comparing((ObservedContainer c) -> !c.running()));
            // A running container whose spec changed is replaced only once its successor exists (see
            // CreateContainer), unless a network it sits on is replaced in this pass: that one must go first.
            Optional<ObservedContainer> serving = keeper.isPresent() || networksReplaced ? Optional.empty()
                    : candidates.stream().filter(c -> c.running() && c.name().equals(plan.name())
                    && "spec changed".equals(reasonToReplace(plan, c))).findFirst();
            for (ObservedContainer c : candidates) {
                if (keeper.isPresent() && keeper.get() == c || serving.isPresent() && serving.get() == c) {
                    continue;
                }
                String reason = reasonToReplace(plan, c);
                removes.add(new RemoveContainer(c.id(), c.name(),
                        reason != null ? reason : "duplicate of replica " + plan.replica()));
            }
            if (keeper.isEmpty()) {
                Optional<String> waitFor = DependencyOrder.unmet(service, observed, creates, services, plans);
                creates.add(waitFor.isPresent() ? new StackAction.Wait(plan.name(), waitFor.get())
                        : new CreateContainer(plan, serving.map(c -> new StackAction.Replaced(c.id(), c.name(),
                        "spec changed")).orElse(null), service.dependsOn().stream().map(DependsOn::service)
                        .collect(java.util.stream.Collectors.toSet())));
            }
        }
    }

    private static long drainMillis(ServiceSpec service) {
        String drain = service.update() != null ? service.update().drain() : new dev.berth.crds.stack.UpdateSpec(null, null, null, null).drain();
        return dev.berth.crds.Durations.parse(drain).toMillis();
    }

    /** Null when the container is what the plan wants. */
    private static String reasonToReplace(ContainerPlan plan, ObservedContainer c) {
        if (!plan.specHash().equals(c.labels().get(BerthLabels.SPEC_HASH))) {
            return "spec changed";
        }
        if (!plan.name().equals(c.name())) {
            return "renamed, want " + plan.name();
        }
        if (!LEFT_TO_DOCKER.contains(c.state()) && !FinishedReplica.isFinished(plan, c)) {
            return "state " + c.state();
        }
        return null;
    }

    private static Integer parseReplica(String text) {
        try {
            return text == null ? null : Integer.valueOf(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
