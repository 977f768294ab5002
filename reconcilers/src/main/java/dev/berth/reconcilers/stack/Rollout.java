package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.ContainerPlan;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.labels.BerthLabels;

import dev.berth.crds.Durations;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.UpdateSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pure: the steps of a start-first update of one replica. The replacement runs next to the old container as
 * {@code <name>-next}; once Docker reports it healthy the old one is retired (after the drain period) and the
 * replacement takes the old name. A replacement that is unhealthy, exits, or is not healthy within the
 * health timeout is removed and the old container keeps serving. A one-shot service (restart no / on-failure) is
 * never updated start-first ({@link ServiceSpec#effectiveStrategy()}): its replacement is meant to exit. Only a
 * completed {@code -next} left by an operator from before that rule is still renamed into place. All of it is read
 * from Docker's state, so a crash at any step is picked up by the next pass.
 */
final class Rollout {
    static final String NEXT_SUFFIX = "-next";

    private Rollout() {
    }

    /** Empty when this replica is not in a start-first update (the ordinary create/replace applies). */
    static Optional<List<StackAction>> plan(ServiceSpec service, ContainerPlan plan, List<ObservedContainer> candidates,
                                            Map<String, Integer> surge, long now) {
        // Free, or held by a stopped container of an older spec: a safe recreate (StackApplier) stopped the old one,
        // started the replacement and ended before removing the old one and renaming.
        boolean nameFree = candidates.stream().noneMatch(c -> c.name().equals(plan.name())
                && (c.running() || current(plan, c)));
        // Also a stand-in (HeldNames) whose replica's name Docker held for a dead container that is gone now.
        Optional<ObservedContainer> orphanedNext = candidates.stream()
                .filter(c -> StackNames.isStandIn(plan.name(), c.name()) && (c.running() || completed(plan, c))
                        && current(plan, c)).findFirst();
        if (nameFree && orphanedNext.isPresent()) {
            // A pass retired (or stopped) the old container and ended before the rename: finish it.
            List<StackAction> finish = new ArrayList<>();
            candidates.stream().filter(c -> c != orphanedNext.get()).forEach(c ->
                    finish.add(new StackAction.RemoveContainer(c.id(), c.name(), "duplicate of replica " + plan.replica())));
            finish.add(new StackAction.RenameContainer(orphanedNext.get().id(), orphanedNext.get().name(), plan.name()));
            return Optional.of(finish);
        }
        if (!UpdateSpec.START_FIRST.equals(service.effectiveStrategy())) {
            return Optional.empty();
        }
        UpdateSpec update = service.update() != null ? service.update() : new UpdateSpec(null, null, null, null);
        String nextName = plan.name() + NEXT_SUFFIX;
        Optional<ObservedContainer> old = candidates.stream()
                .filter(c -> c.name().equals(plan.name()) && c.running() && !current(plan, c)).findFirst();
        if (old.isEmpty()) {
            return Optional.empty();
        }
        List<StackAction> actions = new ArrayList<>();
        Optional<ObservedContainer> next = Optional.empty();
        for (ObservedContainer c : candidates) {
            if (c == old.get()) {
                continue;
            }
            if (c.name().equals(nextName) && current(plan, c) && next.isEmpty()) {
                next = Optional.of(c);
            } else {
                actions.add(new StackAction.RemoveContainer(c.id(), c.name(),
                        c.name().equals(nextName) ? "replacement of an older spec" : "duplicate of replica " + plan.replica()));
            }
        }
        int inFlight = surge.getOrDefault(plan.service(), 0);
        if (next.isEmpty()) {
            if (inFlight >= update.maxSurge()) {
                actions.add(new StackAction.Wait(plan.name(), "other replicas of " + plan.service() + " update first"));
                return Optional.of(actions);
            }
            surge.put(plan.service(), inFlight + 1);
            actions.add(new StackAction.CreateContainer(plan.withName(nextName), null, service.dependsOn().stream()
                    .map(dev.berth.crds.stack.DependsOn::service).collect(java.util.stream.Collectors.toSet())));
            actions.add(new StackAction.Wait(nextName, "to become healthy"));
            return Optional.of(actions);
        }
        surge.put(plan.service(), inFlight + 1);
        ObservedContainer replacement = next.get();
        boolean checked = plan.healthcheck() != null;
        long timeout = Durations.parse(update.healthTimeout()).toSeconds();
        if (replacement.running() && (replacement.healthy() || !checked)) {
            actions.add(new StackAction.RetireContainer(old.get().id(), old.get().name(),
                    Durations.parse(update.drain()).toMillis(), nextName));
            actions.add(new StackAction.RenameContainer(replacement.id(), nextName, plan.name()));
        } else if (!replacement.running()) {
            actions.add(new StackAction.AbortRollout(replacement.id(), nextName, "is " + replacement.state()));
        } else if ("unhealthy".equals(replacement.health())) {
            actions.add(new StackAction.AbortRollout(replacement.id(), nextName, "is unhealthy"));
        } else if (replacement.created() > 0 && now - replacement.created() > timeout) {
            actions.add(new StackAction.AbortRollout(replacement.id(), nextName,
                    "was not healthy within " + update.healthTimeout()));
        } else {
            actions.add(new StackAction.Wait(nextName, "to become healthy"));
        }
        return Optional.of(actions);
    }

    /** A replacement of a one-shot service (restart no / on-failure) that exited 0: done, and left exited. */
    private static boolean completed(ContainerPlan plan, ObservedContainer c) {
        return "exited".equals(c.state()) && FinishedReplica.endsWhenExited(plan) && c.run() != null
                && Integer.valueOf(0).equals(c.run().exitCode());
    }

    private static boolean current(ContainerPlan plan, ObservedContainer c) {
        return plan.specHash().equals(c.labels().get(BerthLabels.SPEC_HASH));
    }
}
