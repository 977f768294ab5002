package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.docker.ObservedNetwork;
import dev.berth.reconcilers.labels.BerthLabels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.stack.DependsOn;
import dev.berth.crds.stack.HealthcheckSpec;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.stack.UpdateSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Start-first updates and dependsOn order, planned from Docker's state alone. */
class RolloutPlannerTest {
    private static final String I = BerthLabels.DEFAULT_INSTANCE;
    private static final HealthcheckSpec CHECK = new HealthcheckSpec(List.of("CMD", "true"), "1s", null, null, null);

    private static ServiceSpec web(String image, int replicas, UpdateSpec update) {
        return new ServiceSpec("web", image, null, null, null, null, null, null, null, null, CHECK, null, null, null,
                null, null, null, null, replicas, update, null);
    }

    private static StackSpec stack(ServiceSpec... services) {
        return new StackSpec(null, List.of(services), null);
    }

    /** The containers of a converged spec, with a state and health. */
    private static List<ObservedContainer> running(StackSpec spec, String health, long created) {
        var nets = PlanBuilder.networks(I, "s", spec);
        return PlanBuilder.containers(I, "s", spec, nets).stream()
                .map(p -> new ObservedContainer("id-" + p.name(), p.name(), p.labels(), "running", health, created)).toList();
    }

    private static ObservedStack observed(StackSpec networksOf, List<ObservedContainer> containers) {
        var nets = PlanBuilder.networks(I, "s", networksOf);
        return new ObservedStack(containers, nets.values().stream()
                .map(n -> new ObservedNetwork("n-" + n.name(), n.name(), n.labels())).toList());
    }

    private static List<String> plan(StackSpec spec, ObservedStack o, long now) {
        return StackPlanner.plan(I, "s", Optional.of(spec), o, now).stream().map(StackAction::describe).toList();
    }

    @Test
    void aChangedHealthCheckedServiceStartsTheReplacementFirst() {
        StackSpec v1 = stack(web("img:1", 1, null));
        StackSpec v2 = stack(web("img:2", 1, null));
        assertEquals(UpdateSpec.START_FIRST, v2.services().get(0).effectiveStrategy());
        assertEquals(List.of("create container s-web-1-next (image img:2)", "wait for s-web-1-next: to become healthy"),
                plan(v2, observed(v1, running(v1, "healthy", 100)), 110));
    }

    @Test
    void aHealthyReplacementRetiresTheOldOneAndTakesItsName() {
        StackSpec v1 = stack(web("img:1", 1, null));
        StackSpec v2 = stack(web("img:2", 1, null));
        List<ObservedContainer> cs = new ArrayList<>(running(v1, "healthy", 100));
        ObservedContainer next = running(v2, "healthy", 110).get(0);
        cs.add(new ObservedContainer("id-next", "s-web-1-next", next.labels(), "running", "healthy", 110));
        assertEquals(List.of("retire container s-web-1 after 2000 ms (replaced by healthy s-web-1-next)",
                        "rename container s-web-1-next to s-web-1"),
                plan(v2, observed(v1, cs), 120));
    }

    @Test
    void aReplacementStillStartingIsWaitedForUntilItsTimeout() {
        StackSpec v1 = stack(web("img:1", 1, null));
        StackSpec v2 = stack(web("img:2", 1, new UpdateSpec(null, "30s", null, null)));
        List<ObservedContainer> cs = new ArrayList<>(running(v1, "healthy", 100));
        ObservedContainer next = running(v2, "starting", 200).get(0);
        cs.add(new ObservedContainer("id-next", "s-web-1-next", next.labels(), "running", "starting", 200));
        assertEquals(List.of("wait for s-web-1-next: to become healthy"), plan(v2, observed(v1, cs), 220));
        assertEquals(List.of("roll back: remove s-web-1-next (was not healthy within 30s), the old container keeps serving"),
                plan(v2, observed(v1, cs), 240));
    }

    @Test
    void anUnhealthyOrExitedReplacementIsRolledBack() {
        StackSpec v1 = stack(web("img:1", 1, null));
        StackSpec v2 = stack(web("img:2", 1, null));
        for (String[] stateAndHealth : List.of(new String[] {"running", "unhealthy"}, new String[] {"exited", null})) {
            List<ObservedContainer> cs = new ArrayList<>(running(v1, "healthy", 100));
            ObservedContainer next = running(v2, null, 110).get(0);
            cs.add(new ObservedContainer("id-next", "s-web-1-next", next.labels(), stateAndHealth[0], stateAndHealth[1], 110));
            List<String> p = plan(v2, observed(v1, cs), 111);
            assertEquals(1, p.size(), p.toString());
            assertTrue(p.get(0).startsWith("roll back: remove s-web-1-next"), p.toString());
        }
    }

    @Test
    void replicasAreUpdatedMaxSurgeAtATime() {
        StackSpec v1 = stack(web("img:1", 3, null));
        StackSpec v2 = stack(web("img:2", 3, null));
        assertEquals(List.of("create container s-web-1-next (image img:2)", "wait for s-web-1-next: to become healthy",
                        "wait for s-web-2: other replicas of web update first", "wait for s-web-3: other replicas of web update first"),
                plan(v2, observed(v1, running(v1, "healthy", 100)), 110));
        StackSpec surge2 = stack(web("img:2", 3, new UpdateSpec(null, null, null, 2)));
        assertEquals(5, plan(surge2, observed(v1, running(v1, "healthy", 100)), 110).size());
    }

    @Test
    void aPublishedPortMeansRecreate() {
        ServiceSpec withPort = new ServiceSpec("web", "img:2", null, null, null, null,
                List.of(new dev.berth.crds.stack.PortSpec(80, 8080, null, null)), null, null, null, CHECK, null, null, null,
                null, null, null, null, 1, null, null);
        assertEquals(UpdateSpec.RECREATE, withPort.effectiveStrategy());
        assertEquals(UpdateSpec.RECREATE, web("img", 1, new UpdateSpec("recreate", null, null, null)).effectiveStrategy());
    }

    @Test
    void aCrashBetweenRetireAndRenameIsFinished() {
        StackSpec v2 = stack(web("img:2", 1, null));
        ObservedContainer next = running(v2, "healthy", 110).get(0);
        List<ObservedContainer> cs = List.of(new ObservedContainer("id-next", "s-web-1-next", next.labels(), "running", "healthy", 110));
        assertEquals(List.of("rename container s-web-1-next to s-web-1"), plan(v2, observed(v2, cs), 120));
    }

    @Test
    void dependantsWaitForTheirDependencies() {
        ServiceSpec db = new ServiceSpec("db", "db:1", null, null, null, null, null, null, null, null, CHECK, null, null,
                null, null, null, null, null, 1, null, null);
        ServiceSpec app = new ServiceSpec("app", "app:1", null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, 1, null, List.of(new DependsOn("db", DependsOn.HEALTHY)));
        ServiceSpec worker = new ServiceSpec("worker", "w:1", null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, 1, null, List.of(new DependsOn("app", null)));
        StackSpec spec = stack(worker, app, db);
        assertEquals(List.of("create network s_default (driver bridge)", "create container s-db-1 (image db:1)",
                        "wait for s-app-1: service db to be healthy", "wait for s-worker-1: service app to run"),
                plan(spec, new ObservedStack(List.of(), List.of()), 0));
        List<ObservedContainer> dbStarting = running(stack(db), "starting", 1).stream()
                .map(c -> new ObservedContainer(c.id(), c.name(), c.labels(), "running", "starting", 1)).toList();
        assertEquals(List.of("wait for s-app-1: service db to be healthy", "wait for s-worker-1: service app to run"),
                plan(spec, observed(spec, dbStarting), 2));
        List<ObservedContainer> dbHealthy = running(stack(db), "healthy", 1);
        assertEquals(List.of("create container s-app-1 (image app:1)", "create container s-worker-1 (image w:1)"),
                plan(spec, observed(spec, dbHealthy), 3));
        assertTrue(Map.of().isEmpty());
    }
}
