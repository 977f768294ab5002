package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.ContainerPlan;
import dev.berth.reconcilers.docker.NetworkPlan;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.docker.ObservedNetwork;
import dev.berth.reconcilers.docker.RestartPlan;
import dev.berth.reconcilers.labels.BerthLabels;

import static dev.berth.reconcilers.stack.Specs.service;
import static dev.berth.reconcilers.stack.Specs.stack;
import static dev.berth.reconcilers.stack.Specs.withNetworks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.stack.HealthcheckSpec;
import dev.berth.crds.stack.PortSpec;
import dev.berth.crds.stack.ResourcesSpec;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackNetwork;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.stack.VolumeSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class StackPlannerTest {
    private static final String IMG = "berth-test/busybox:1";

    /** What Docker would show after applying the plan perfectly. */
    private static ObservedStack converged(String stack, StackSpec spec) {
        Map<String, NetworkPlan> nets = PlanBuilder.networks(BerthLabels.DEFAULT_INSTANCE, stack, spec);
        List<ObservedNetwork> networks = nets.values().stream()
                .map(n -> new ObservedNetwork("n-" + n.name(), n.name(), n.labels())).toList();
        List<ObservedContainer> containers = PlanBuilder.containers(BerthLabels.DEFAULT_INSTANCE, stack, spec, nets).stream()
                .map(p -> new ObservedContainer("c-" + p.name(), p.name(), p.labels(), "running", null)).toList();
        return new ObservedStack(containers, networks);
    }

    private static List<String> described(List<StackAction> actions) {
        return actions.stream().map(StackAction::describe).toList();
    }

    private static ObservedStack mapContainers(ObservedStack o, UnaryOperator<ObservedContainer> f) {
        return new ObservedStack(o.containers().stream().map(f).toList(), o.networks());
    }

    @Test
    void emptyObservationCreatesDefaultNetworkThenContainers() {
        StackSpec spec = stack(List.of(service("web", IMG, 2)), List.of());
        List<StackAction> plan = StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(spec), ObservedStack.empty());
        assertEquals(List.of(
                "create network s_default (driver bridge)",
                "create container s-web-1 (image berth-test/busybox:1)",
                "create container s-web-2 (image berth-test/busybox:1)"), described(plan));
        StackAction.CreateContainer c = (StackAction.CreateContainer) plan.get(1);
        assertEquals("s_default", c.plan().networks().get(0).network());
        assertEquals(List.of("web"), c.plan().networks().get(0).aliases());
    }

    @Test
    void convergedStateGivesEmptyPlan() {
        StackSpec spec = stack(List.of(service("web", IMG, 2), withNetworks(service("db", IMG, 1), List.of("back"))),
                List.of(new StackNetwork("back", null, true, "10.251.0.0/24", Map.of("x", "y"))));
        assertEquals(List.of(), StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(spec), converged("s", spec)));
    }

    @Test
    void restartingAndPausedAreLeftToDocker() {
        StackSpec spec = stack(List.of(service("web", IMG, 2)), List.of());
        ObservedStack o = converged("s", spec);
        ObservedStack odd = new ObservedStack(List.of(
                withState(o.containers().get(0), "restarting"), withState(o.containers().get(1), "paused")),
                o.networks());
        assertEquals(List.of(), StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(spec), odd));
    }

    @Test
    void scaleUpCreatesOnlyMissingReplicas() {
        StackSpec one = stack(List.of(service("web", IMG, 1)), List.of());
        StackSpec three = stack(List.of(service("web", IMG, 3)), List.of());
        assertEquals(List.of("create container s-web-2 (image berth-test/busybox:1)",
                        "create container s-web-3 (image berth-test/busybox:1)"),
                described(StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(three), converged("s", one))));
    }

    @Test
    void scaleDownRemovesHighReplicas() {
        StackSpec three = stack(List.of(service("web", IMG, 3)), List.of());
        StackSpec one = stack(List.of(service("web", IMG, 1)), List.of());
        assertEquals(List.of("remove container s-web-2 (scaled down)", "remove container s-web-3 (scaled down)"),
                described(StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(one), converged("s", three))));
    }

    @Test
    void changedSpecReplacesContainer() {
        StackSpec before = stack(List.of(service("web", IMG, 1)), List.of());
        StackSpec after = stack(List.of(service("web", "other:2", 1)), List.of());
        // Issue 20, defect 1: the running one goes only once its successor was created and started.
        assertEquals(List.of("replace container s-web-1 (spec changed): create the new one (image other:2) first"),
                described(StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(after), converged("s", before))));
    }

    @Test
    void renamedContainerIsReplaced() {
        StackSpec spec = stack(List.of(service("web", IMG, 1)), List.of());
        ObservedStack o = mapContainers(converged("s", spec),
                c -> new ObservedContainer(c.id(), "hand-renamed", c.labels(), c.state(), null));
        assertEquals(List.of("remove container hand-renamed (renamed, want s-web-1)",
                        "create container s-web-1 (image berth-test/busybox:1)"),
                described(StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(spec), o)));
    }

    @Test
    void exitedAndCreatedAreReplaced() {
        // Dead: see aDeadContainerHoldingTheReplicasNameDoesNotBlockIt.
        for (String state : List.of("exited", "created")) {
            StackSpec spec = stack(List.of(service("web", IMG, 1)), List.of());
            ObservedStack o = mapContainers(converged("s", spec), c -> withState(c, state));
            assertEquals(List.of("remove container s-web-1 (state " + state + ")",
                            "create container s-web-1 (image berth-test/busybox:1)"),
                    described(StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(spec), o)), state);
        }
    }

    @Test
    void removingContainerIsNotKeptAndItsNameNotWaitedFor() {
        // Docker lists a container whose remove failed (its mount busy) as "removing" for as long as it keeps it.
        StackSpec spec = stack(List.of(service("web", IMG, 1)), List.of());
        ObservedStack o = mapContainers(converged("s", spec), c -> withState(c, "removing"));
        assertEquals(List.of("remove container s-web-1 (removing, not removed by Docker yet; its replica does not wait"
                        + " for it)", "create container s-web-1-next (image berth-test/busybox:1)"),
                described(StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(spec), o)));
    }

    @Test
    void duplicateReplicaIsRemovedKeepingTheRunningOne() {
        StackSpec spec = stack(List.of(service("web", IMG, 1)), List.of());
        ObservedStack o = converged("s", spec);
        ObservedContainer orig = o.containers().get(0);
        List<ObservedContainer> cs = new ArrayList<>(o.containers());
        // Same labels, other name: sorts before the original, yet the original is running and correctly named.
        cs.add(new ObservedContainer("dup", "s-web-1-copy", orig.labels(), "running", null));
        List<StackAction> plan = StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(spec), new ObservedStack(cs, o.networks()));
        assertEquals(List.of("remove container s-web-1-copy (renamed, want s-web-1)"), described(plan));

        // Two containers that both match exactly (possible only through races): one stays.
        List<ObservedContainer> twins = List.of(orig, withState(new ObservedContainer("c2", orig.name(),
                orig.labels(), "running", null), "restarting"));
        assertEquals(List.of("remove container s-web-1 (duplicate of replica 1)"),
                described(StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(spec), new ObservedStack(twins, o.networks()))));
    }

    @Test
    void removedServiceAndBadLabelsAreRemoved() {
        StackSpec two = stack(List.of(service("web", IMG, 1), service("old", IMG, 1)), List.of());
        StackSpec one = stack(List.of(service("web", IMG, 1)), List.of());
        ObservedStack o = converged("s", two);
        Map<String, String> bad = new HashMap<>(o.containers().get(0).labels());
        bad.put(BerthLabels.SERVICE, "web");
        bad.put(BerthLabels.REPLICA, "x");
        List<ObservedContainer> cs = new ArrayList<>(o.containers());
        cs.add(new ObservedContainer("b", "zz", bad, "running", null));
        assertEquals(List.of("remove container s-old-1 (service not declared)", "remove container zz (bad replica label)"),
                described(StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(one), new ObservedStack(cs, o.networks()))));
    }

    @Test
    void deletedStackRemovesContainersThenNetworks() {
        StackSpec spec = stack(List.of(service("web", IMG, 1)), List.of(new StackNetwork("back", null, null, null, null)));
        spec = stack(List.of(withNetworks(service("web", IMG, 1), List.of("back")), service("api", IMG, 1)),
                spec.networks());
        List<StackAction> plan = StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.empty(), converged("s", spec));
        assertEquals(List.of(
                "remove container s-api-1 (stack not wanted on this host)",
                "remove container s-web-1 (stack not wanted on this host)",
                "remove network s_back (stack not wanted on this host)",
                "remove network s_default (stack not wanted on this host)"), described(plan));
    }

    @Test
    void otherStacksAndUnmanagedObjectsAreInvisible() {
        StackSpec spec = stack(List.of(service("web", IMG, 1)), List.of());
        ObservedStack other = converged("other", spec);
        List<ObservedContainer> cs = new ArrayList<>(other.containers());
        Map<String, String> unmanaged = new HashMap<>(other.containers().get(0).labels());
        unmanaged.put(BerthLabels.OWNER, "stack/s");
        unmanaged.remove(BerthLabels.MANAGED_BY);
        cs.add(new ObservedContainer("u", "s-web-1", unmanaged, "exited", null));
        assertEquals(List.of(), StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.empty(), new ObservedStack(cs, other.networks())));
    }

    @Test
    void changedNetworkRecreatesItAndTheContainersOnIt() {
        StackSpec before = stack(List.of(withNetworks(service("db", IMG, 1), List.of("back")), service("web", IMG, 1)),
                List.of(new StackNetwork("back", null, false, null, null)));
        StackSpec after = stack(before.services(), List.of(new StackNetwork("back", null, true, null, null)));
        assertEquals(List.of(
                "remove container s-db-1 (spec changed)",
                "remove network s_back (spec changed)",
                "create network s_back (driver bridge)",
                "create container s-db-1 (image berth-test/busybox:1)"),
                described(StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(after), converged("s", before))));
    }

    @Test
    void aChangedContainerThatDoesNotRunIsRemovedFirst() {
        StackSpec before = stack(List.of(service("web", IMG, 1)), List.of());
        StackSpec after = stack(List.of(service("web", "other:2", 1)), List.of());
        ObservedStack exited = new ObservedStack(converged("s", before).containers().stream()
                .map(c -> withState(c, "exited")).toList(), converged("s", before).networks());
        assertEquals(List.of("remove container s-web-1 (spec changed)", "create container s-web-1 (image other:2)"),
                described(StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(after), exited)),
                "nothing serves: no reason to keep it");
    }

    @Test
    void aSafeRecreateThatEndedAfterStartingTheReplacementIsFinished() {
        StackSpec before = stack(List.of(service("web", IMG, 1)), List.of());
        StackSpec after = stack(List.of(service("web", "other:2", 1)), List.of());
        ObservedContainer old = withState(converged("s", before).containers().get(0), "exited");
        ObservedContainer next = converged("s", after).containers().get(0);
        next = new ObservedContainer("c-next", "s-web-1-next", next.labels(), "running", null);
        assertEquals(List.of("remove container s-web-1 (duplicate of replica 1)", "rename container s-web-1-next to s-web-1"),
                described(StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(after),
                        new ObservedStack(List.of(old, next), converged("s", after).networks()))),
                "the started replacement is kept, not created again");
    }

    @Test
    void networkOrderCreatesFirstAndRemovesLast() {
        StackSpec before = stack(List.of(withNetworks(service("web", IMG, 1), List.of("old"))),
                List.of(new StackNetwork("old", null, null, null, null)));
        StackSpec after = stack(List.of(withNetworks(service("web", IMG, 1), List.of("new"))),
                List.of(new StackNetwork("new", null, null, null, null)));
        assertEquals(List.of(
                "create network s_new (driver bridge)",
                "replace container s-web-1 (spec changed): create the new one (image berth-test/busybox:1) first",
                "remove network s_old (not declared)"),
                described(StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(after), converged("s", before))));
    }

    @Test
    void duplicateNetworkIsRemovedAfterContainers() {
        StackSpec spec = stack(List.of(service("web", IMG, 1)), List.of());
        ObservedStack o = converged("s", spec);
        List<ObservedNetwork> ns = new ArrayList<>(o.networks());
        ns.add(new ObservedNetwork("n2", "s_default", o.networks().get(0).labels()));
        assertEquals(List.of("remove network s_default (duplicate)"),
                described(StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(spec), new ObservedStack(o.containers(), ns))));
    }

    @Test
    void hashIsStableAndKnown() {
        ServiceSpec s = full();
        ContainerPlan a = plan(s);
        ContainerPlan b = plan(full());
        assertEquals(a.specHash(), b.specHash());
        assertEquals(16, a.specHash().length());
        assertEquals(a.specHash(), a.labels().get(BerthLabels.SPEC_HASH));
        // The label and the recomputed hash agree, so an observed container can be compared by its label alone.
        assertEquals(a.specHash(), PlanBuilder.hash(a));
    }

    @Test
    void mapOrderDoesNotChangeTheHash() {
        Map<String, String> env1 = new java.util.LinkedHashMap<>();
        env1.put("A", "1");
        env1.put("B", "2");
        Map<String, String> env2 = new java.util.LinkedHashMap<>();
        env2.put("B", "2");
        env2.put("A", "1");
        assertEquals(plan(withEnv(full(), env1)).specHash(), plan(withEnv(full(), env2)).specHash());
        assertEquals(List.of("A=1", "B=2"), plan(withEnv(full(), env2)).env());
    }

    @Test
    void everyFieldChangesTheHash() {
        ServiceSpec s = full();
        String base = plan(s).specHash();
        List<ServiceSpec> variants = List.of(
                svc(s, "image", "other:1"),
                svc(s, "command", List.of("sh", "-c", "true")),
                svc(s, "entrypoint", List.of("/bin/env")),
                svc(s, "env", Map.of("A", "2")),
                svc(s, "labels", Map.of("team", "b")),
                svc(s, "ports", List.of(new PortSpec(8080, 18081, "tcp", null))),
                svc(s, "volumes", List.of(new VolumeSpec("tmpfs", null, "/tmp", false, "32m"))),
                svc(s, "networks", List.of("other")),
                svc(s, "restart", "always"),
                svc(s, "healthcheck", new HealthcheckSpec(List.of("CMD", "true"), "5s", "2s", 4, "1s")),
                svc(s, "resources", new ResourcesSpec(0.25, "64m", "32m")),
                svc(s, "user", "root"),
                svc(s, "readOnly", false),
                svc(s, "capAdd", List.of("NET_RAW")),
                svc(s, "capDrop", List.of("MKNOD")),
                svc(s, "securityOpt", List.of()),
                svc(s, "init", false));
        for (ServiceSpec v : variants) {
            assertNotEquals(base, plan(v).specHash(), v.toString());
        }
        // Command ["a b"] vs ["a", "b"] must differ.
        assertNotEquals(plan(svc(s, "command", List.of("a b"))).specHash(),
                plan(svc(s, "command", List.of("a", "b"))).specHash());
    }

    @Test
    void fullPlanCarriesEveryField() {
        ContainerPlan p = plan(full());
        assertEquals(List.of("sh", "-c", "sleep 1000"), p.cmd());
        assertEquals(1_000_000_000L, p.healthcheck().intervalNanos());
        assertEquals(90_000_000_000L, p.healthcheck().startPeriodNanos());
        assertEquals(500_000_000L, p.nanoCpus());
        assertEquals(128L * 1024 * 1024, p.memoryBytes());
        assertEquals(64L * 1024 * 1024, p.memoryReservationBytes());
        assertEquals(new RestartPlan("on-failure", 3), p.restart());
        assertEquals(List.of("MKNOD", "NET_RAW"), p.capDrop());
        assertEquals("stack/s", p.labels().get(BerthLabels.OWNER));
        assertEquals("1", p.labels().get(BerthLabels.REPLICA));
        assertEquals("a", p.labels().get("team"));
        assertTrue(p.mounts().stream().anyMatch(m -> m.tmpfsSizeBytes() != null && m.tmpfsSizeBytes() == 16L << 20));
    }

    @Test
    void restartForms() {
        assertEquals(new RestartPlan("no", 0), RestartPlan.parse("no"));
        assertEquals(new RestartPlan("on-failure", 0), RestartPlan.parse("on-failure"));
        assertEquals(new RestartPlan("on-failure", 5), RestartPlan.parse("on-failure:5"));
        assertEquals(new RestartPlan("unless-stopped", 0), RestartPlan.parse(null));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> RestartPlan.parse("sometimes"));
    }

    static ServiceSpec full() {
        return new ServiceSpec("web", IMG, List.of("sh", "-c", "sleep 1000"), List.of("/bin/sh"),
                Map.of("A", "1", "B", "2"), Map.of("team", "a"), List.of(new PortSpec(8080, 18080, "tcp", null)),
                List.of(new VolumeSpec("tmpfs", null, "/tmp", false, "16m")), List.of("default"), "on-failure:3",
                new HealthcheckSpec(List.of("CMD", "true"), "1s", "2s", 3, "1m30s"), new ResourcesSpec(0.5, "128m", "64m"),
                "nobody", true, List.of("NET_ADMIN"), List.of("NET_RAW", "MKNOD"), List.of("no-new-privileges:true"),
                true, 1);
    }

    private static ContainerPlan plan(ServiceSpec s) {
        StackSpec spec = stack(List.of(s), List.of());
        return PlanBuilder.containers(BerthLabels.DEFAULT_INSTANCE, "s", spec, PlanBuilder.networks(BerthLabels.DEFAULT_INSTANCE, "s", spec)).get(0);
    }

    private static ServiceSpec withEnv(ServiceSpec s, Map<String, String> env) {
        return svc(s, "env", env);
    }

    /** A copy of {@code s} with one component replaced, by name. */
    private static ServiceSpec svc(ServiceSpec s, String field, Object value) {
        var components = ServiceSpec.class.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                args[i] = components[i].getName().equals(field) ? value : components[i].getAccessor().invoke(s);
            }
            return ServiceSpec.class.getDeclaredConstructor(types).newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static ObservedContainer withState(ObservedContainer c, String state) {
        return new ObservedContainer(c.id(), c.name(), c.labels(), state, c.health());
    }

    private static StackHere assigned(StackSpec spec, String service, Integer... replicas) {
        return new StackHere(spec, Map.of(service, new java.util.TreeSet<>(List.of(replicas))), java.util.Set.of());
    }

    @Test
    void aHostCreatesOnlyTheReplicasAssignedToItWithTheirClusterWideNumbers() {
        StackSpec spec = stack(List.of(service("web", IMG, 3)), List.of());
        StackPlan plan = StackPlanner.makeHere(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(assigned(spec, "web", 2)),
                ObservedStack.empty(), 0);
        assertEquals(List.of("create network s_default (driver bridge)", "create container s-web-2 (image berth-test/busybox:1)"),
                described(plan.actions()));
    }

    @Test
    void aRunningReplicaGivenToAnotherHostDrainsBeforeItGoesAndAStoppedOneGoesAtOnce() {
        StackSpec spec = stack(List.of(service("web", IMG, 3)), List.of());
        ObservedStack all = converged("s", spec);
        ObservedStack seen = mapContainers(all, c -> c.name().equals("s-web-3")
                ? new ObservedContainer(c.id(), c.name(), c.labels(), "exited", null) : c);
        List<StackAction> plan = StackPlanner.makeHere(BerthLabels.DEFAULT_INSTANCE, "s",
                Optional.of(assigned(spec, "web", 1)), seen, 0).actions();
        assertEquals(List.of("retire container s-web-2 after 2000 ms (its replica moved to another host)",
                "remove container s-web-3 (replica assigned to another host)"), described(plan));
    }

    @Test
    void beforeTheFirstAssignmentNothingIsCreatedAndNothingThatRunsIsRemoved() {
        StackSpec spec = stack(List.of(service("web", IMG, 2)), List.of());
        StackHere undecided = new StackHere(spec, Map.of("web", new java.util.TreeSet<>()), java.util.Set.of("web"));
        assertEquals(List.of(), StackPlanner.makeHere(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(undecided),
                ObservedStack.empty(), 0).actions(), "no network for replicas that may go elsewhere");
        assertEquals(List.of(), StackPlanner.makeHere(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(undecided),
                converged("s", spec), 0).actions(), "what runs stays");
    }

    @Test
    void aServiceHeldForItsFilesKeepsItsReplicasHereButTheOnesThatMovedOrWereScaledDownStillGo() {
        // Ran 3 replicas here; now 2 in the cluster, replica 1 here and 2 moved elsewhere, and its Secret cannot be
        // served here: replica 1 keeps running as it is (its plan, made without files, differs), 2 drains, 3 goes.
        StackSpec three = stack(List.of(service("web", IMG, 3)), List.of());
        StackSpec two = stack(List.of(withEnv(service("web", IMG, 2), Map.of("CHANGED", "1"))), List.of());
        StackHere held = assigned(two, "web", 1).withHeld(java.util.Set.of("web"));
        List<String> plan = described(StackPlanner.makeHere(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(held),
                converged("s", three), 0).actions());
        assertEquals(List.of("retire container s-web-2 after 2000 ms (its replica moved to another host)",
                "remove container s-web-3 (scaled down)"), plan);
        assertEquals(List.of("create network s_default (driver bridge)"), described(StackPlanner.makeHere(
                BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(held), ObservedStack.empty(), 0).actions()),
                "nothing of a held service is created");
    }

    @Test
    void aReplicaNumberAboveReplicasThatTheAssignmentKeepsHereIsKeptNotRecreated() {
        // A scale-down dropped replica 2 from another host and kept 3 here: the number is the assignment's.
        StackSpec spec = stack(List.of(service("web", IMG, 2)), List.of());
        StackSpec three = stack(List.of(service("web", IMG, 3)), List.of());
        ObservedStack seen = mapContainers(converged("s", three), c -> c);
        ObservedStack onlyThree = new ObservedStack(seen.containers().stream().filter(c -> c.name().equals("s-web-3")).toList(),
                seen.networks());
        List<StackAction> plan = StackPlanner.makeHere(BerthLabels.DEFAULT_INSTANCE, "s",
                Optional.of(assigned(spec, "web", 3)), onlyThree, 0).actions();
        assertEquals(List.of(), described(plan), "replica 3 stays as it is");
    }

    @Test
    void aDependencyWithNoReplicaOnThisHostDoesNotHoldTheServiceBack() {
        ServiceSpec db = service("db", IMG, 1);
        ServiceSpec app = service("app", IMG, 1);
        app = new ServiceSpec(app.name(), app.image(), app.command(), app.entrypoint(), app.env(), app.labels(), app.ports(),
                app.volumes(), app.networks(), app.restart(), app.healthcheck(), app.resources(), app.user(), app.readOnly(),
                app.capAdd(), app.capDrop(), app.securityOpt(), app.init(), app.replicas(), app.update(),
                List.of(new dev.berth.crds.stack.DependsOn("db", null)));
        StackSpec spec = stack(List.of(db, app), List.of());
        StackHere appOnly = new StackHere(spec, Map.of("app", new java.util.TreeSet<>(List.of(1)),
                "db", new java.util.TreeSet<>()), java.util.Set.of());
        List<StackAction> plan = StackPlanner.makeHere(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(appOnly),
                ObservedStack.empty(), 0).actions();
        assertTrue(described(plan).contains("create container s-app-1 (image berth-test/busybox:1)"), described(plan).toString());
    }

    @Test
    void aHostLeftWithNothingOfTheStackDrainsItsMovedReplicaBeforeRemovingItAndThenItsNetworks() {
        StackSpec spec = stack(List.of(service("web", IMG, 1)), List.of());
        ObservedStack seen = converged("s", spec);
        assertEquals(List.of("retire container s-web-1 after 2000 ms (its replica moved to another host)"),
                described(StackPlanner.makeHere(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(StackHere.nothing(spec)),
                        seen, 0).actions()), "the network stays while the container drains on it");
        assertEquals(List.of("remove network s_default (not declared)"),
                described(StackPlanner.makeHere(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(StackHere.nothing(spec)),
                        new ObservedStack(List.of(), seen.networks()), 0).actions()));
    }

    private static ObservedContainer named(ObservedContainer c, String id, String name, String state) {
        return new ObservedContainer(id, name, c.labels(), state, c.health());
    }

    private static final String LEFTOVER = "(dead, not removed by Docker yet; its replica does not wait for it)";

    /**
     * A dockerd stopped mid-create came back unable to remove the half-made container (its mount busy): Docker lists it
     * dead, keeps its name, and refuses to start anything under that name. The replica must not wait for Docker.
     */
    @Test
    void aDeadContainerHoldingTheReplicasNameDoesNotBlockIt() {
        StackSpec spec = stack(List.of(service("web", IMG, 2)), List.of());
        ObservedStack o = converged("s", spec);
        ObservedContainer dead = named(o.containers().get(1), "c-dead", "s-web-2", "dead");
        StackPlan plan = StackPlanner.make(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(spec),
                new ObservedStack(List.of(o.containers().get(0), dead), o.networks()), 0);
        assertEquals(List.of("remove container s-web-2 " + LEFTOVER, "create container s-web-2-next (image "
                + IMG + ")"), described(plan.actions()), "created under a stand-in name, nothing waits");
        assertTrue(plan.actions().get(0) instanceof StackAction.RemoveLeftover, "a refused remove stops nothing");
        assertEquals("s-web-2-next", plan.containers().get(1).name(), "the replica is counted under its stand-in name");

        ObservedContainer standIn = named(o.containers().get(1), "c-next", "s-web-2-next", "running");
        assertEquals(List.of("remove container s-web-2 " + LEFTOVER), described(StackPlanner.plan(
                BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(spec),
                new ObservedStack(List.of(o.containers().get(0), dead, standIn), o.networks()))),
                "while Docker keeps the dead one, the stand-in is the replica: neither a duplicate nor renamed");
        assertEquals(List.of("rename container s-web-2-next to s-web-2"), described(StackPlanner.plan(
                BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(spec),
                new ObservedStack(List.of(o.containers().get(0), standIn), o.networks()))),
                "once Docker let the dead one go, the replica gets its name back");
    }

    @Test
    void aReplicaWhoseNameAndFirstStandInAreBothHeldTakesTheNextStandIn() {
        StackSpec spec = stack(List.of(service("web", IMG, 1)), List.of());
        ObservedStack o = converged("s", spec);
        ObservedContainer c = o.containers().get(0);
        assertEquals(List.of("remove container s-web-1 " + LEFTOVER, "remove container s-web-1-next " + LEFTOVER,
                        "create container s-web-1-next-2 (image " + IMG + ")"),
                described(StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(spec), new ObservedStack(
                        List.of(named(c, "d1", "s-web-1", "dead"), named(c, "d2", "s-web-1-next", "dead")), o.networks()))));
        assertEquals(List.of("remove container s-web-1-next " + LEFTOVER, "rename container s-web-1-next-2 to s-web-1"),
                described(StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(spec), new ObservedStack(
                        List.of(named(c, "d2", "s-web-1-next", "dead"), named(c, "n2", "s-web-1-next-2", "running")),
                        o.networks()))));
    }

    /** A safe recreate stopped in its create: the old container exited, the half-made replacement dead. */
    @Test
    void aSafeRecreateWhoseReplacementWasLeftDeadRecreatesUnderTheReplicasName() {
        StackSpec before = stack(List.of(service("web", IMG, 1)), List.of());
        StackSpec after = stack(List.of(service("web", "other:2", 1)), List.of());
        ObservedContainer old = withState(converged("s", before).containers().get(0), "exited");
        ObservedContainer next = named(converged("s", after).containers().get(0), "c-next", "s-web-1-next", "dead");
        assertEquals(List.of("remove container s-web-1-next " + LEFTOVER, "remove container s-web-1 (spec changed)",
                        "create container s-web-1 (image other:2)"),
                described(StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(after),
                        new ObservedStack(List.of(old, next), converged("s", after).networks()))));
    }

    /** The remove of the old container was cut: it is dead under the replica's name, its replacement runs. */
    @Test
    void aReplacementWhosePredecessorWasLeftDeadKeepsRunningUnderItsStandInName() {
        StackSpec before = stack(List.of(service("web", IMG, 1)), List.of());
        StackSpec after = stack(List.of(service("web", "other:2", 1)), List.of());
        ObservedContainer old = withState(converged("s", before).containers().get(0), "dead");
        ObservedContainer next = named(converged("s", after).containers().get(0), "c-next", "s-web-1-next", "running");
        assertEquals(List.of("remove container s-web-1 " + LEFTOVER),
                described(StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(after),
                        new ObservedStack(List.of(old, next), converged("s", after).networks()))));
    }

    @Test
    void aDeadContainerOfADeletedStackDoesNotHoldUpTheRest() {
        StackSpec spec = stack(List.of(service("web", IMG, 2)), List.of());
        ObservedStack o = converged("s", spec);
        List<StackAction> plan = StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.empty(),
                new ObservedStack(List.of(withState(o.containers().get(0), "dead"), o.containers().get(1)), o.networks()));
        assertEquals(List.of("remove container s-web-1 " + LEFTOVER,
                "remove container s-web-2 (stack not wanted on this host)",
                "remove network s_default (stack not wanted on this host)"), described(plan));
        assertTrue(plan.get(0) instanceof StackAction.RemoveLeftover, "its refusal does not stop the other removals");
    }
}
