package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.ContainerPlan;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.crds.ObjectKey;
import dev.berth.reconcilers.labels.BerthLabels;

import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.reconcilers.docker.Docker;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One pass for one stack: plan, apply, count. Status and conditions are the operator's business; this only says
 * what was planned, what happened and how many replicas run.
 */
public final class StackConverger {
    private final StackApplier applier;
    private final String instance;

    public StackConverger(Docker docker) {
        this.applier = new StackApplier(docker);
        this.instance = docker.instance();
    }

    /**
     * @param desiredHere the spec when the stack exists and is placed on this host; empty when it must go
     * @throws IllegalArgumentException when the spec has a value no plan can be made from (e.g. a bad duration)
     */
    public StackOutcome reconcile(String stack, Optional<StackSpec> desiredHere, ObservedStack observed) {
        List<StackAction> planned = StackPlanner.plan(instance, stack, desiredHere, observed);
        ApplyReport report = applier.apply(planned);
        return new StackOutcome(planned, report, count(instance, stack, desiredHere, observed, report));
    }

    /**
     * A replica counts as running when a container for it was created (and so started) in this pass and the
     * service has no health check, or when an observed running container for it (under its name or as the
     * replacement of a start-first update) carries the current spec hash, was not removed in this pass, and is
     * healthy if the service has a health check. Ready therefore means serving, not merely started.
     */
    static Map<String, Counts> count(String instance, String stack, Optional<StackSpec> desired, ObservedStack observed,
                                     ApplyReport report) {
        Map<String, Counts> counts = new TreeMap<>();
        Set<String> removed = new HashSet<>();
        Set<String> created = new HashSet<>();
        for (StackAction a : report.done()) {
            if (a instanceof StackAction.RemoveContainer r) {
                removed.add(r.id());
            } else if (a instanceof StackAction.CreateContainer c) {
                created.add(c.plan().name());
            }
        }
        String owner = ObjectKey.stack(stack).toString();
        List<ObservedContainer> mine = observed.containers().stream()
                .filter(c -> BerthLabels.isManaged(c.labels(), instance) && owner.equals(c.labels().get(BerthLabels.OWNER)))
                .filter(c -> !removed.contains(c.id()))
                .toList();
        if (desired.isPresent()) {
            var networks = PlanBuilder.networks(instance, stack, desired.get());
            for (ServiceSpec s : desired.get().services()) {
                int running = 0;
                for (int r = 1; r <= s.replicas(); r++) {
                    ContainerPlan plan = PlanBuilder.container(instance, stack, s, r, networks);
                    boolean checked = plan.healthcheck() != null;
                    boolean runs = (created.contains(plan.name()) && !checked) || mine.stream().anyMatch(c -> c.running()
                            && (c.name().equals(plan.name()) || c.name().equals(plan.name() + Rollout.NEXT_SUFFIX))
                            && plan.specHash().equals(c.labels().get(BerthLabels.SPEC_HASH))
                            && (!checked || c.healthy()));
                    running += runs ? 1 : 0;
                }
                counts.put(s.name(), new Counts(running, s.replicas()));
            }
        }
        // Services that should not run here but still do show up as running of 0 desired.
        for (ObservedContainer c : mine) {
            String service = c.labels().get(BerthLabels.SERVICE);
            if (service != null && (!counts.containsKey(service) || counts.get(service).desired() == 0)) {
                Counts old = counts.getOrDefault(service, new Counts(0, 0));
                counts.put(service, new Counts(old.running() + (c.running() ? 1 : 0), 0));
            }
        }
        return counts;
    }
}
