package dev.berth.reconcilers.stack;

import static dev.berth.reconcilers.stack.Specs.service;
import static dev.berth.reconcilers.stack.Specs.stack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.stack.DependsOn;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.reconcilers.docker.ContainerRun;
import dev.berth.reconcilers.docker.NetworkPlan;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.docker.ObservedNetwork;
import dev.berth.reconcilers.labels.BerthLabels;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** restart "no" / on-failure: an exited container of the current spec has ended and is left as it is. */
class OneShotPlanTest {
    private static final String IMG = "berth-test/busybox:1";

    private static ServiceSpec with(ServiceSpec s, String restart, List<DependsOn> dependsOn) {
        return new ServiceSpec(s.name(), s.image(), s.command(), s.entrypoint(), s.env(), s.labels(), s.ports(),
                s.volumes(), s.networks(), restart, s.healthcheck(), s.resources(), s.user(), s.readOnly(), s.capAdd(),
                s.capDrop(), s.securityOpt(), s.init(), s.replicas(), s.update(), dependsOn);
    }

    /** Every replica of {@code spec} as Docker would show it, in {@code state}, with {@code exitCode} when exited. */
    private static ObservedStack seen(StackSpec spec, String state, Integer exitCode) {
        Map<String, NetworkPlan> nets = PlanBuilder.networks(BerthLabels.DEFAULT_INSTANCE, "s", spec);
        List<ObservedNetwork> networks = nets.values().stream()
                .map(n -> new ObservedNetwork("n-" + n.name(), n.name(), n.labels())).toList();
        List<ObservedContainer> containers = PlanBuilder.containers(BerthLabels.DEFAULT_INSTANCE, "s", spec, nets).stream()
                .map(p -> new ObservedContainer("c-" + p.name(), p.name(), p.labels(), state, null)
                        .withRun(new ContainerRun(0, "2026-01-01T00:00:00Z", exitCode))).toList();
        return new ObservedStack(containers, networks);
    }

    private static List<String> plan(StackSpec spec, ObservedStack seen) {
        return StackPlanner.plan(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(spec), seen).stream()
                .map(StackAction::describe).toList();
    }

    @Test
    void anExitedOneShotContainerIsLeftWhateverItsExitCode() {
        for (String restart : List.of("no", "on-failure")) {
            StackSpec spec = stack(List.of(with(service("init", IMG, 1), restart, List.of())), List.of());
            assertEquals(List.of(), plan(spec, seen(spec, "exited", 0)), restart + ", exit 0");
            assertEquals(List.of(), plan(spec, seen(spec, "exited", 3)), restart + ", exit 3");
        }
    }

    @Test
    void anExitedContainerOfALongRunningPolicyIsStillCreatedAgain() {
        StackSpec spec = stack(List.of(with(service("web", IMG, 1), "always", List.of())), List.of());
        assertEquals(List.of("remove container s-web-1 (state exited)", "create container s-web-1 (image " + IMG + ")"),
                plan(spec, seen(spec, "exited", 0)));
    }

    @Test
    void aOneShotThatNeverStartedOrIsDeadIsCreatedAgain() {
        StackSpec spec = stack(List.of(with(service("init", IMG, 1), "no", List.of())), List.of());
        assertEquals(List.of("remove container s-init-1 (state created)",
                "create container s-init-1 (image " + IMG + ")"), plan(spec, seen(spec, "created", null)));
        // Docker keeps a dead container's name until it manages to remove it: the one-shot runs under a stand-in.
        assertEquals(List.of("remove container s-init-1 (dead, not removed by Docker yet; its replica does not wait for it)",
                "create container s-init-1-next (image " + IMG + ")"), plan(spec, seen(spec, "dead", null)));
    }

    @Test
    void aNewSpecRunsACompletedOneShotAgain() {
        StackSpec before = stack(List.of(with(service("init", IMG, 1), "no", List.of())), List.of());
        StackSpec after = stack(List.of(with(service("init", "other:2", 1), "no", List.of())), List.of());
        assertEquals(List.of("remove container s-init-1 (spec changed)", "create container s-init-1 (image other:2)"),
                plan(after, seen(before, "exited", 0)));
    }

    @Test
    void aDependantOfCompletedSuccessfullyWaitsForExitZero() {
        ServiceSpec init = with(service("init", IMG, 1), "no", List.of());
        ServiceSpec app = with(service("app", IMG, 1), "always", List.of(new DependsOn("init", DependsOn.COMPLETED)));
        StackSpec spec = stack(List.of(app, init), List.of());
        StackSpec initOnly = stack(List.of(init), List.of());
        assertEquals(List.of("create network s_default (driver bridge)", "create container s-init-1 (image " + IMG + ")",
                        "wait for s-app-1: service init to complete successfully"),
                plan(spec, ObservedStack.empty()), "a dependency created in the same pass has not completed");
        assertEquals(List.of("wait for s-app-1: service init to complete successfully"),
                plan(spec, seen(initOnly, "running", null)));
        assertEquals(List.of("wait for s-app-1: service init to complete successfully (s-init-1 exited 3)"),
                plan(spec, seen(initOnly, "exited", 3)));
        assertEquals(List.of("wait for s-app-1: service init to complete successfully"),
                plan(spec, seen(initOnly, "exited", null)), "an exit code nobody read yet is not a success");
        assertEquals(List.of("create container s-app-1 (image " + IMG + ")"), plan(spec, seen(initOnly, "exited", 0)));
    }

    @Test
    void completedAndFailedReplicasAreCountedNotRunning() {
        StackSpec spec = stack(List.of(with(service("init", IMG, 2), "no", List.of())), List.of());
        ObservedStack seen = seen(spec, "exited", 0);
        ObservedContainer failed = seen.containers().get(1);
        seen = new ObservedStack(List.of(seen.containers().get(0), failed.withRun(new ContainerRun(0, null, 3))),
                seen.networks());
        StackPlan plan = StackPlanner.make(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(spec), seen, 0);
        ApplyReport nothing = new ApplyReport(List.of(), Optional.empty(), List.of());
        assertEquals(Map.of("init", new Counts(0, 2, 1, 1)), StackConverger.count(BerthLabels.DEFAULT_INSTANCE, "s",
                Optional.of(StackHere.all(spec)), plan, seen, nothing));
        assertEquals(List.of(new FinishedReplica("s-init-1", "init", 0), new FinishedReplica("s-init-2", "init", 3)),
                StackConverger.finished(plan, seen, nothing));
    }

    @Test
    void aOneShotCreatedInThisPassIsNotCountedBeforeItCompletes() {
        StackSpec spec = stack(List.of(with(service("init", IMG, 1), "no", List.of()),
                with(service("web", IMG, 1), "no", List.of())), List.of());
        StackPlan plan = StackPlanner.make(BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(spec), ObservedStack.empty(), 0);
        List<StackAction> creates = plan.actions().stream().filter(a -> a instanceof StackAction.CreateContainer).toList();
        ApplyReport done = new ApplyReport(creates, Optional.empty(), List.of());
        assertEquals(Map.of("init", new Counts(0, 1), "web", new Counts(0, 1)), StackConverger.count(
                BerthLabels.DEFAULT_INSTANCE, "s", Optional.of(StackHere.all(spec)), plan, ObservedStack.empty(), done),
                "restart \"no\" may exit at once: counted when seen running or completed, in the next pass");
    }

    @Test
    void aOneShotServiceWithAHealthCheckIsUpdatedWithRecreateNotStartFirst() {
        // Start-first would take the job's exit for a failed replacement and re-run it on every retry.
        dev.berth.crds.stack.HealthcheckSpec check = new dev.berth.crds.stack.HealthcheckSpec(List.of("CMD", "true"),
                "1s", null, null, null);
        ServiceSpec v1 = new ServiceSpec("job", "job:1", null, null, null, null, null, null, null, "no", check, null, null,
                null, null, null, null, null, 1, null, null);
        ServiceSpec v2 = new ServiceSpec("job", "job:2", null, null, null, null, null, null, null, "no", check, null, null,
                null, null, null, null, null, 1, null, null);
        StackSpec before = stack(List.of(v1), List.of());
        StackSpec after = stack(List.of(v2), List.of());
        List<String> actions = plan(after, seen(before, "running", null));
        assertTrue(actions.stream().noneMatch(a -> a.contains("-next")), actions.toString());
        assertTrue(actions.stream().anyMatch(a -> a.contains("s-job-1")), actions.toString());
    }
}
