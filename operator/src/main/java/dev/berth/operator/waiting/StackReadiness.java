package dev.berth.operator.waiting;

import dev.berth.crds.stack.Placement;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ReplicaStatus;
import dev.berth.crds.status.ServiceCount;
import dev.berth.reconcilers.desired.DesiredHere;
import dev.berth.reconcilers.route.ServiceLabels;
import dev.berth.reconcilers.schedule.Assignment;
import dev.berth.reconcilers.schedule.Handover;
import dev.berth.reconcilers.schedule.StackAssignment;
import dev.berth.reconcilers.schedule.Unschedulable;
import dev.berth.reconcilers.stack.PlacementRule;
import dev.berth.reconcilers.stack.StackHere;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Decides whether a stack is rolled out, from one {@link StackSnapshot}. Pure, so every rule is unit-tested.
 *
 * <p>The hosts that should run the stack are the live hosts the operators' own rule ({@link DesiredHere}) gives
 * anything of it: eligible hosts for global services, the assigned hosts for replicated ones. Only a status whose
 * {@code observedRevision} reached the stored stack's mod revision counts: an older one says nothing about the
 * revision waited for, however Ready it is, and its Degraded may be what the new revision fixes.
 *
 * <p>Failed: a live host that should run the stack reports Degraded for the current revision (its reason:
 * ImageNotFound, PortInUse, RolloutFailed, ...); a host only removing what it ran is waited for. Ready: the
 * scheduler placed every replica on live hosts its placement allows, nothing is handed over, every host that should
 * run the stack reports the current revision Ready, not Progressing, with the counts this host book gives it (a host
 * that has not seen the newest assignment yet reports other counts), and no live host is still removing what it ran
 * of it. Anything else is waiting, with the first thing missing as reason.
 */
public final class StackReadiness {
    private StackReadiness() {
    }

    public static Verdict decide(StackSnapshot snapshot) {
        String name = snapshot.name();
        if (snapshot.desired().isEmpty()) {
            return new Verdict(Verdict.State.GONE, "stack/" + name + " was deleted", "", List.of());
        }
        StackSnapshot.Desired desired = snapshot.desired().get();
        if (desired.spec().isEmpty()) {
            return new Verdict(Verdict.State.FAILED, "InvalidSpec", desired.invalid(), List.of());
        }
        StackSpec spec = desired.spec().get();
        List<Verdict.Row> rows = new ArrayList<>();
        List<String> waits = new ArrayList<>();
        scheduling(snapshot, spec, rows, waits);
        Optional<Verdict> failed = Optional.empty();
        Map<String, StackHere> expected = expectedHosts(snapshot, spec);
        for (Map.Entry<String, StackHere> e : expected.entrySet()) {
            String host = e.getKey();
            ObjectStatus status = snapshot.statuses().get(host);
            String hostReason = hostReason(status, e.getValue(), spec, desired.revision());
            if (!hostReason.isEmpty()) {
                waits.add(host + ": " + hostReason);
            }
            boolean current = status != null && status.observedRevision() >= desired.revision();
            for (ServiceSpec service : spec.services()) {
                int want = e.getValue().of(service.name()).size();
                ServiceCount count = status == null ? null : status.services().get(service.name());
                if (want == 0 && (count == null || count.desired() == 0)) {
                    continue;
                }
                String reason = current ? replicaReason(status, service.name()).orElse(hostReason) : hostReason;
                // A completed one-shot replica (restart "no", exited 0) is as ready as a running one.
                rows.add(new Verdict.Row(host, service.name(), count == null ? 0 : count.running() + count.completed(),
                        want, reason));
            }
        }
        for (ObjectStatus status : new TreeMap<>(snapshot.statuses()).values()) {
            if (!snapshot.liveHosts().containsKey(status.host())) {
                continue; // its containers may still run, but nobody can tell; what counts is where the stack goes
            }
            Optional<Condition> degraded = status.condition(Condition.DEGRADED).filter(Condition::isTrue);
            // Degraded fails the wait only where the stack should run: a host that is only removing what it ran
            // (placement changed, replica moved) may fail at that, and the wait reports it as still removing below
            if (failed.isEmpty() && degraded.isPresent() && status.observedRevision() >= desired.revision()
                    && expected.containsKey(status.host())) {
                failed = Optional.of(new Verdict(Verdict.State.FAILED, degraded.get().reason(),
                        degraded.get().message() + " (on " + status.host() + ")", rows));
            }
            if (!expected.containsKey(status.host())) {
                waits.add(status.host() + ": removing what it ran of the stack");
            }
        }
        if (failed.isPresent()) {
            return failed.get();
        }
        boolean wantsContainers = spec.services().stream().anyMatch(s -> s.replicas() > 0);
        if (waits.isEmpty() && expected.isEmpty() && wantsContainers) {
            waits.add("no live host is selected by the stack's placement");
        }
        if (!waits.isEmpty()) {
            return new Verdict(Verdict.State.WAITING, waits.get(0), "", rows);
        }
        return new Verdict(Verdict.State.READY, "", "", rows);
    }

    /** Live hosts that run or keep anything of the stack, by name, with what. */
    private static Map<String, StackHere> expectedHosts(StackSnapshot snapshot, StackSpec spec) {
        Map<String, StackHere> expected = new TreeMap<>();
        snapshot.liveHosts().forEach((host, info) -> DesiredHere.stack(snapshot.name(), Optional.of(spec), info,
                ServiceLabels.NONE, snapshot.assignment()).ifPresent(here -> expected.put(host, here)));
        return expected;
    }

    /**
     * Replicated services: waits (and rows with host "-") for what the scheduler has not decided, could not place,
     * placed on hosts that are gone or that the placement no longer allows, or is moving.
     */
    private static void scheduling(StackSnapshot snapshot, StackSpec spec, List<Verdict.Row> rows, List<String> waits) {
        String name = snapshot.name();
        for (ServiceSpec service : spec.services()) {
            Placement placement = service.effectivePlacement(spec.placement());
            if (placement.global() || service.replicas() == 0) {
                continue;
            }
            if (snapshot.assignment().isEmpty()) {
                rows.add(new Verdict.Row("-", service.name(), 0, service.replicas(), "Scheduling"));
                waits.add("Scheduling: waiting for the scheduler to place the replicas of " + service.name());
                continue;
            }
            StackAssignment assignment = snapshot.assignment().get();
            List<Assignment> assigned = assignment.assignments().stream()
                    .filter(a -> a.service().equals(service.name())).toList();
            List<Unschedulable> unschedulable = assignment.unschedulable().stream()
                    .filter(u -> u.service().equals(service.name())).toList();
            if (!unschedulable.isEmpty()) {
                String message = "Unschedulable: " + unschedulable.get(0).message();
                rows.add(new Verdict.Row("-", service.name(), 0, unschedulable.size(), message));
                waits.add(name + "-" + service.name() + "-" + unschedulable.get(0).replica() + ": " + message);
            }
            if (assigned.size() + unschedulable.size() != service.replicas()) {
                waits.add("Scheduling: the scheduler has placed " + assigned.size() + " of " + service.replicas()
                        + " replicas of " + service.name());
            }
            for (Assignment a : assigned) {
                String replica = name + "-" + a.service() + "-" + a.replica();
                if (!snapshot.liveHosts().containsKey(a.host())) {
                    waits.add(replica + " is assigned to " + a.host() + ", which is not alive");
                } else if (!PlacementRule.placedHere(placement, snapshot.liveHosts().get(a.host()))) {
                    waits.add("Scheduling: " + replica + " is still assigned to " + a.host()
                            + ", which the placement no longer selects");
                }
            }
            for (Handover h : assignment.handovers()) {
                if (h.service().equals(service.name())) {
                    waits.add("moving " + name + "-" + h.service() + "-" + h.replica() + " from " + h.from() + " to " + h.to());
                }
            }
        }
    }

    /** Why a host that should run the stack is not done with it yet; "" when it is. */
    private static String hostReason(ObjectStatus status, StackHere here, StackSpec spec, long revision) {
        if (status == null) {
            return "not reported yet";
        }
        if (status.observedRevision() < revision) {
            return "at revision " + status.observedRevision() + " of " + revision;
        }
        Optional<Condition> degraded = status.condition(Condition.DEGRADED).filter(Condition::isTrue);
        if (degraded.isPresent()) {
            return degraded.get().reason() + ": " + degraded.get().message();
        }
        Optional<Condition> progressing = status.condition(Condition.PROGRESSING).filter(Condition::isTrue);
        if (progressing.isPresent()) {
            return progressing.get().reason() + ": " + progressing.get().message();
        }
        if (!status.ready()) {
            return status.condition(Condition.READY).map(c -> c.reason() + ": " + c.message()).orElse("not Ready");
        }
        for (ServiceSpec service : spec.services()) {
            int want = here.of(service.name()).size();
            ServiceCount count = status.services().get(service.name());
            int reported = count == null ? 0 : count.desired();
            if (reported != want) {
                // The host planned from another assignment than the one read here: one of the two is about to change.
                return "runs " + reported + " of " + service.name() + " where " + want + " are assigned";
            }
        }
        return "";
    }

    /** The first reason a container of the service gives for not running as wanted. */
    private static Optional<String> replicaReason(ObjectStatus status, String service) {
        return status.replicas().stream().filter(r -> service.equals(r.service()))
                .map(ReplicaStatus::reason).filter(r -> r != null && !r.isEmpty()).findFirst();
    }
}
