package dev.berth.reconcilers.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.berth.crds.stack.HealthcheckSpec;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackNetwork;
import dev.berth.crds.stack.StackSpec;
import dev.berth.reconcilers.docker.ContainerPlan;
import dev.berth.reconcilers.docker.NetworkAttachment;
import dev.berth.reconcilers.docker.NetworkPlan;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.labels.BerthLabels;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue 19's names in the plans: a service's aliases answer on every network it joins (Docker's aliases on stack
 * networks, the aliases label for names across hosts); a containerName is the container's Docker name, updated by
 * recreate only, and removed by its labels like any other container.
 */
class ServiceNamesPlanTest {
    private static final String I = BerthLabels.DEFAULT_INSTANCE;
    private static final String IMG = "berth-test/busybox:1";

    private static ServiceSpec web(List<String> aliases, String containerName, HealthcheckSpec health) {
        ServiceSpec base = Specs.withNetworks(Specs.service("web", IMG, 1), List.of("front", "back", "mesh"));
        return new ServiceSpec(base.name(), base.image(), base.command(), base.entrypoint(), base.env(), base.labels(),
                base.ports(), base.volumes(), base.networks(), base.restart(), health, base.resources(), base.user(),
                base.readOnly(), base.capAdd(), base.capDrop(), base.securityOpt(), base.init(), base.replicas(), null,
                null, null, null, null, null, null, null, null, null, aliases, containerName, null, null, null, null,
                null, null, null, null, null, null);
    }

    private static StackSpec stack(ServiceSpec s) {
        return Specs.stack(List.of(s), List.of(new StackNetwork("front", null, null, null, null),
                new StackNetwork("back", null, null, null, null)));
    }

    private static ContainerPlan plan(ServiceSpec s, NameServers names) {
        StackSpec spec = stack(s);
        Map<String, NetworkPlan> networks = PlanBuilder.networks(I, "shop", spec);
        return PlanBuilder.containers(I, "shop", StackHere.all(spec).withNames(names), networks).get(0);
    }

    private static Map<String, List<String>> aliases(ContainerPlan plan) {
        return plan.networks().stream().collect(Collectors.toMap(NetworkAttachment::declaredName, NetworkAttachment::aliases));
    }

    @Test
    void aliasesAnswerOnEveryNetworkBesidesTheServiceName() {
        ContainerPlan off = plan(web(List.of("www", "site"), null, null), NameServers.off());
        assertEquals(Map.of("front", List.of("web", "www", "site"), "back", List.of("web", "www", "site"),
                "mesh", List.of("web", "www", "site")), aliases(off));
        assertEquals("www,site", off.labels().get(BerthLabels.ALIASES));
        // Names on: the Berth Network gets no Docker alias (the operator answers www from the label).
        ContainerPlan on = plan(web(List.of("www"), null, null), NameServers.on(Map.of("mesh", "10.9.0.1")));
        assertEquals(List.of(), aliases(on).get("mesh"));
        assertEquals(List.of("web", "www"), aliases(on).get("front"));
        assertEquals("www", on.labels().get(BerthLabels.ALIASES));
    }

    @Test
    void anAddedAliasReplacesTheContainerAndNoAliasesKeepTheHash() {
        ContainerPlan without = plan(web(List.of(), null, null), NameServers.off());
        ContainerPlan with = plan(web(List.of("www"), null, null), NameServers.off());
        assertFalse(without.labels().containsKey(BerthLabels.ALIASES));
        assertNotEquals(without.specHash(), with.specHash());
        StackSpec spec = stack(web(List.of("www"), null, null));
        List<StackAction> actions = StackPlanner.plan(I, "shop", Optional.of(spec), observed(without, "shop-web-1"));
        // Replaced safely: the new container is created before the old one goes.
        assertEquals(List.of("replace container shop-web-1 (spec changed): create the new one (image " + IMG + ") first"),
                actions.stream().filter(a -> a instanceof StackAction.RemoveContainer || a instanceof StackAction.CreateContainer)
                        .map(StackAction::describe).toList());
    }

    @Test
    void aContainerNameIsTheDockerNameAndUpdatesRecreateEvenWithAHealthCheck() {
        HealthcheckSpec health = new HealthcheckSpec(List.of("CMD", "true"), "1s", "1s", 3, null);
        ServiceSpec kept = web(List.of(), "legacy_db", health);
        ContainerPlan plan = plan(kept, NameServers.off());
        assertEquals("legacy_db", plan.name());
        // Running the old spec under the kept name: replaced under it (the new one created first, the old one kept
        // until then), never as a start-first rollout.
        ContainerPlan old = plan(web(List.of("www"), "legacy_db", health), NameServers.off());
        List<StackAction> actions = StackPlanner.plan(I, "shop", Optional.of(stack(kept)), observed(old, "legacy_db"));
        assertEquals(List.of("replace container legacy_db (spec changed): create the new one (image " + IMG + ") first"),
                actions.stream().filter(a -> a instanceof StackAction.RemoveContainer || a instanceof StackAction.CreateContainer)
                        .map(StackAction::describe).toList());
        assertNull(Rollout.plan(kept, plan, List.of(new ObservedContainer("c1", "legacy_db", old.labels(), "running",
                "healthy")), new java.util.HashMap<>(), 0).orElse(null), "no start-first steps");
    }

    @Test
    void aKeptNameIsRemovedByItsLabelsWhenTheServiceOrStackGoes() {
        ContainerPlan plan = plan(web(List.of(), "legacy_db", null), NameServers.off());
        ServiceSpec other = Specs.service("api", IMG, 1);
        List<StackAction> serviceGone = StackPlanner.plan(I, "shop", Optional.of(Specs.stack(List.of(other), List.of())),
                observed(plan, "legacy_db"));
        assertEquals("remove container legacy_db (service not declared)", serviceGone.stream()
                .filter(a -> a instanceof StackAction.RemoveContainer).findFirst().orElseThrow().describe());
        List<StackAction> stackGone = StackPlanner.plan(I, "shop", Optional.empty(), observed(plan, "legacy_db"));
        assertEquals("remove container legacy_db (stack not wanted on this host)", stackGone.get(0).describe());
        // A container of that name without Berth's labels is not the stack's: never planned for removal.
        List<StackAction> foreign = StackPlanner.plan(I, "shop", Optional.empty(), new ObservedStack(List.of(
                new ObservedContainer("x", "legacy_db", Map.of(), "running", null)), List.of()));
        assertEquals(List.of(), foreign);
    }

    private static ObservedStack observed(ContainerPlan plan, String name) {
        return new ObservedStack(List.of(new ObservedContainer("c-" + name, name, plan.labels(), "running", null)), List.of());
    }
}
