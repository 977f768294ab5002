package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.ContainerPlan;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.crds.ObjectKey;
import dev.berth.reconcilers.labels.BerthLabels;

import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.reconcilers.docker.Docker;
import dev.berth.reconcilers.Deadline;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One pass for one stack: plan once, apply, count from that plan. Status and conditions are the operator's
 * business; this only says what was planned, what happened, what was left for later and how many replicas run.
 */
public final class StackConverger {
    private final StackApplier applier;
    private final String instance;
    private final Clock clock;
    private final Drains drains;

    public StackConverger(Docker docker) {
        this(docker, Clock.systemUTC());
    }

    /** @param clock measures drains, health timeouts of updates and the default deadline */
    public StackConverger(Docker docker, Clock clock) {
        this(docker, clock, Runnable::run);
    }

    /** @param creates runs a pass's new replicas side by side (see {@link StackApplier}) */
    public StackConverger(Docker docker, Clock clock, java.util.concurrent.Executor creates) {
        this.applier = new StackApplier(docker, creates);
        this.instance = docker.instance();
        this.clock = clock;
        this.drains = new Drains(clock);
    }

    /** One pass within {@link Deadline#DEFAULT}. */
    public StackOutcome reconcile(String stack, Optional<StackSpec> desiredHere, ObservedStack observed) {
        return reconcile(stack, desiredHere, observed, Deadline.after(Deadline.DEFAULT, clock));
    }

    /**
     * @param desiredHere the spec when the stack exists and is placed on this host; empty when it must go
     * @param deadline checked between actions; what is left when it passes is deferred to the next pass
     * @throws IllegalArgumentException when the spec has a value no plan can be made from (e.g. a bad duration)
     */
    public StackOutcome reconcile(String stack, Optional<StackSpec> desiredHere, ObservedStack observed, Deadline deadline) {
        return reconcileHere(stack, desiredHere.map(StackHere::all), observed, deadline);
    }

    /**
     * @param here which replicas of the stack this host runs; empty when the stack is gone or runs nothing here
     * @param deadline checked between actions; what is left when it passes is deferred to the next pass
     */
    public StackOutcome reconcileHere(String stack, Optional<StackHere> here, ObservedStack observed, Deadline deadline) {
        Optional<StackSpec> desiredHere = here.map(StackHere::spec);
        StackPlan plan = StackPlanner.makeHere(instance, stack, here, observed, clock.instant().getEpochSecond());
        Set<String> retiring = new HashSet<>();
        plan.actions().stream().filter(a -> a instanceof StackAction.RetireContainer)
                .forEach(a -> retiring.add(((StackAction.RetireContainer) a).id()));
        drains.keepOnly(stack, retiring);
        ApplyReport report = applier.apply(plan.actions(), deadline, retire -> drains.left(stack, retire));
        return new StackOutcome(plan.actions(), report, count(instance, stack, here, plan, observed, report),
                finished(plan, observed, report));
    }

    /** The one-shot replicas this pass left exited (not removed by it), in the plan's order. */
    static List<FinishedReplica> finished(StackPlan plan, ObservedStack observed, ApplyReport report) {
        Set<String> removed = removedIds(report);
        List<FinishedReplica> finished = new java.util.ArrayList<>();
        for (ContainerPlan replica : plan.containers()) {
            observed.containers().stream()
                    .filter(c -> !removed.contains(c.id()) && FinishedReplica.isFinished(replica, c))
                    .findFirst().ifPresent(c -> finished.add(FinishedReplica.of(replica, c)));
        }
        return finished;
    }

    private static Set<String> removedIds(ApplyReport report) {
        Set<String> removed = new HashSet<>();
        for (StackAction a : report.done()) {
            if (a instanceof StackAction.RemoveContainer r) {
                removed.add(r.id());
            } else if (a instanceof StackAction.RetireContainer r) {
                removed.add(r.id());
            } else if (a instanceof StackAction.AbortRollout r) {
                removed.add(r.id());
            } else if (a instanceof StackAction.RemoveLeftover r) {
                removed.add(r.id());
            } else if (a instanceof StackAction.CreateContainer c && c.replaces() != null) {
                removed.add(c.replaces().id());
            }
        }
        return removed;
    }

    /**
     * A replica counts as running when a container for it was created (and so started) in this pass and the
     * service has no health check and is not one-shot (restart no / on-failure: it may exit at once), or when an
     * observed running container for it (under its name or as the replacement of a start-first update) carries the current spec hash, was not removed in this pass, and is
     * healthy if the service has a health check. Ready therefore means serving, not merely started. A one-shot
     * replica whose container exited and is left so counts as completed (exit 0) or failed, not running. The replicas
     * are the container plans of {@code plan}, the one this pass made (nothing is planned again to count).
     */
    static Map<String, Counts> count(String instance, String stack, Optional<StackHere> desired, StackPlan plan,
                                     ObservedStack observed, ApplyReport report) {
        Map<String, Counts> counts = new TreeMap<>();
        Set<String> removed = removedIds(report);
        Set<String> created = new HashSet<>();
        for (StackAction a : report.done()) {
            if (a instanceof StackAction.CreateContainer c) {
                created.add(c.plan().name());
            }
        }
        String owner = ObjectKey.stack(stack).toString();
        List<ObservedContainer> mine = observed.containers().stream()
                .filter(c -> BerthLabels.isManaged(c.labels(), instance) && owner.equals(c.labels().get(BerthLabels.OWNER)))
                .filter(c -> !removed.contains(c.id()))
                .toList();
        if (desired.isPresent()) {
            for (ServiceSpec s : desired.get().spec().services()) {
                if (desired.get().undecided().contains(s.name())) {
                    continue;
                }
                int running = 0;
                int completed = 0;
                int failed = 0;
                for (ContainerPlan replica : plan.containers()) {
                    if (!replica.service().equals(s.name())) {
                        continue;
                    }
                    boolean checked = replica.healthcheck() != null;
                    // A one-shot created now has not completed yet: it counts once it is seen running or completed.
                    boolean counted = !checked && !FinishedReplica.endsWhenExited(replica);
                    boolean runs = (created.contains(replica.name()) && counted) || mine.stream().anyMatch(c -> c.running()
                            && (c.name().equals(replica.name()) || c.name().equals(replica.name() + Rollout.NEXT_SUFFIX))
                            && replica.specHash().equals(c.labels().get(BerthLabels.SPEC_HASH))
                            && (!checked || c.healthy()));
                    running += runs ? 1 : 0;
                    Optional<FinishedReplica> ended = created.contains(replica.name()) ? Optional.empty()
                            : mine.stream().filter(c -> FinishedReplica.isFinished(replica, c)).findFirst()
                            .map(c -> FinishedReplica.of(replica, c));
                    completed += ended.filter(FinishedReplica::completed).isPresent() ? 1 : 0;
                    failed += ended.filter(FinishedReplica::failed).isPresent() ? 1 : 0;
                }
                counts.put(s.name(), new Counts(running, desired.get().of(s.name()).size(), completed, failed));
            }
        }
        // Services that should not run here but still do show up as running of 0 desired.
        for (ObservedContainer c : mine) {
            String service = c.labels().get(BerthLabels.SERVICE);
            boolean undecided = desired.map(h -> h.undecided().contains(service)).orElse(false);
            if (service != null && !undecided && (!counts.containsKey(service) || counts.get(service).desired() == 0)) {
                Counts old = counts.getOrDefault(service, new Counts(0, 0));
                counts.put(service, new Counts(old.running() + (c.running() ? 1 : 0), 0));
            }
        }
        return counts;
    }
}
