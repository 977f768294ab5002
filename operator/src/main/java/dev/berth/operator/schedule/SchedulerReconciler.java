package dev.berth.operator.schedule;

import dev.berth.crds.stack.StackSpec;
import dev.berth.operator.cache.AssignmentJson;
import dev.berth.operator.cache.Assignments;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.kit.ReconcileResult;
import dev.berth.operator.kit.Reconciler;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.GroupCommit;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoreException;
import dev.berth.operator.store.StoredObject;
import dev.berth.reconcilers.Deadline;
import dev.berth.reconcilers.desired.DesiredHere;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.schedule.Assignment;
import dev.berth.reconcilers.schedule.Capacity;
import dev.berth.reconcilers.schedule.Schedule;
import dev.berth.reconcilers.schedule.Scheduler;
import dev.berth.reconcilers.schedule.ServiceDemand;
import dev.berth.reconcilers.schedule.StackAssignment;
import dev.berth.reconcilers.schedule.StackDemands;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The cluster-wide scheduler, run by the leader of the {@code scheduler} election. A key is a stack name (plan the
 * stack: write which replica of which replicated service runs on which host) or {@code host/<name>} (record that
 * the host came or went, the clock failover runs on). Each stack is planned from the whole state, never from an
 * event: its spec, the hosts (live, cordoned, unreachable within {@code --failover-after}, down) and its current
 * assignment, with the pure {@link Scheduler}. The assignment is written only when the decision changed, guarded on
 * this operator's leader key and the stack's and the previous assignment's mod revisions, so a former leader or a
 * stack changed meanwhile writes nothing; concurrent passes' writes share one transaction ({@link GroupCommit}).
 */
public final class SchedulerReconciler implements Reconciler {
    /** Keys of the host book: no stack name contains a slash. */
    public static final String HOST_KEY = "host/";
    private static final Logger log = LoggerFactory.getLogger(SchedulerReconciler.class);
    private static final Duration NOT_SYNCED_RETRY = Duration.ofSeconds(1);
    private static final Duration AFTER_CONFLICT = Duration.ofMillis(200);
    /** How often a handover's target is looked at: its status row is read, not watched. */
    private static final Duration HANDOVER_POLL = Duration.ofSeconds(1);

    private final DesiredInformer stacks;
    private final Assignments assignments;
    private final HostBook hosts;
    private final EtcdKv kv;
    private final GroupCommit leaderWrites;
    private final KeyLayout keys;
    private final Clock clock;
    private final Supplier<Optional<EtcdKv.Guard>> leaderGuard;
    private final SchedulerMetrics metrics;
    private final AssignmentJson json = new AssignmentJson();
    private final ReservedElsewhere reservations = new ReservedElsewhere();
    private final OwnWrites ownWrites;
    private final HandoverPlanner handovers;
    private final EtcdInformer<StoredValue> rebalances;
    /** Told each written decision (Scheduled) and each move off a down host (Failover). */
    private final dev.berth.operator.events.EventRecorder events;

    /**
     * @param rebalances rebalance requests by stack name ({@code berth rebalance stack NAME})
     * @param leaderWrites sends the assignments of concurrent passes in one transaction
     * @param events     told each decision once it is written
     */
    public SchedulerReconciler(DesiredInformer stacks, Assignments assignments, HostBook hosts,
                               EtcdInformer<StoredValue> rebalances, EtcdKv kv, GroupCommit leaderWrites,
                               KeyLayout keys, Clock clock,
                               Supplier<Optional<EtcdKv.Guard>> leaderGuard, SchedulerMetrics metrics,
                               dev.berth.operator.events.EventRecorder events) {
        this.events = events;
        this.rebalances = rebalances;
        this.stacks = stacks;
        this.assignments = assignments;
        this.hosts = hosts;
        this.kv = kv;
        this.leaderWrites = leaderWrites;
        this.keys = keys;
        this.clock = clock;
        this.leaderGuard = leaderGuard;
        this.metrics = metrics;
        this.ownWrites = new OwnWrites(assignments);
        this.handovers = new HandoverPlanner(kv, keys);
    }

    /** Every stack and every known host: what a new leader and each resync look at. */
    public List<String> allKeys() {
        List<String> all = new ArrayList<>(stackKeys());
        hosts.names().forEach(h -> all.add(HOST_KEY + h));
        return all;
    }

    /**
     * The stacks to plan again when an assignment changed: none when the change is this leader's own write coming
     * back through the watch (planning it again would find the same decision).
     */
    public List<String> assignmentChanged(String stack) {
        return ownWrites.echoed(stack) ? List.of() : List.of(stack);
    }

    /** Stacks in etcd, and stacks that only have an assignment left (deleted meanwhile). */
    public Set<String> stackKeys() {
        Set<String> names = new HashSet<>(stacks.names());
        names.addAll(assignments.names());
        return names;
    }

    @Override
    public ReconcileResult reconcile(String key, Deadline deadline) {
        Optional<EtcdKv.Guard> leader = leaderGuard.get();
        if (leader.isEmpty()) {
            return ReconcileResult.done();
        }
        if (!stacks.synced() || !assignments.synced() || !hosts.synced() || !rebalances.synced()) {
            return ReconcileResult.requeueAfter(NOT_SYNCED_RETRY);
        }
        try {
            if (key.startsWith(HOST_KEY)) {
                hosts.record(key.substring(HOST_KEY.length()), clock.instant(), leader.get());
                return ReconcileResult.done();
            }
            try (MDC.MDCCloseable ignored = MDC.putCloseable("object", "stack/" + key)) {
                return schedule(key, leader.get());
            }
        } catch (StoreException e) {
            // etcd refusing the operator is said once a minute by RefusalWarnings, not on every retry of every key
            return dev.berth.operator.store.EtcdRefusals.isRefusal(e) ? ReconcileResult.failedQuietly("etcd: " + e.getMessage())
                    : ReconcileResult.failed("etcd: " + e.getMessage());
        }
    }

    /** @param leader holds while this operator still leads: every write is guarded on it */
    private ReconcileResult schedule(String name, EtcdKv.Guard leader) {
        Optional<StoredObject> object = stacks.get(name);
        Optional<StackAssignment> previous = ownWrites.current(name);
        long previousRevision = ownWrites.revision(name);
        if (object.isEmpty() || object.get().resource().isEmpty()) {
            if (object.isEmpty() && previousRevision != 0) {
                return remove(name, previousRevision, 0, "stack deleted", leader);
            }
            // An invalid spec keeps its assignment: hosts keep what runs until a valid one comes.
            return ReconcileResult.done();
        }
        StackSpec spec = object.get().resource().get().spec(StackSpec.class);
        long stackRevision = object.get().raw().modRevision();
        if (!DesiredHere.scheduled(spec)) {
            return previousRevision == 0 ? ReconcileResult.done()
                    : remove(name, previousRevision, stackRevision, "no replicated service", leader);
        }
        List<ServiceDemand> demands;
        try {
            demands = StackDemands.of(spec);
        } catch (IllegalArgumentException e) {
            return ReconcileResult.failed("InvalidSpec: " + e.getMessage());
        }
        if (demands.stream().noneMatch(d -> d.reservation() != null)) {
            // Takes no capacity and checks none: planned alongside other stacks, on any worker.
            return plan(name, spec, stackRevision, demands, previous, previousRevision, Map.of(), leader);
        }
        // Reserving stacks are planned one at a time, each counting what the others took (its own writes included).
        synchronized (reservations) {
            return plan(name, spec, stackRevision, demands, previous, previousRevision,
                    reservations.byHost(name, otherStacks()), leader);
        }
    }

    private ReconcileResult plan(String name, StackSpec spec, long stackRevision, List<ServiceDemand> demands,
                                 Optional<StackAssignment> previous, long previousRevision,
                                 Map<String, ReservedElsewhere.Reserved> reserved, EtcdKv.Guard leader) {
        Instant now = clock.instant();
        HostSnapshot snapshot = HostSnapshot.of(hosts, now, reserved);
        List<Assignment> current = previous.map(StackAssignment::assignments).orElse(List.of());
        Schedule schedule = Scheduler.plan(demands, snapshot.candidates(), current);
        boolean rebalance = rebalances.get(name).isPresent();
        HandoverPlanner.Step step = handovers.step(name, spec, demands, snapshot, schedule.assignments(), previous,
                rebalance, now);
        StackAssignment next = new StackAssignment(name, stackRevision, step.assigned(), step.handovers(),
                schedule.unschedulable(), schedule.unavailable(), now.toString());
        ReconcileResult after = !step.handovers().isEmpty() ? ReconcileResult.requeueAfter(HANDOVER_POLL)
                : snapshot.recheck().map(d -> ReconcileResult.requeueAfter(d.plusMillis(100))).orElse(ReconcileResult.done());
        if (next.sameDecision(previous.orElse(null))) {
            metrics.unschedulable(name, schedule.unschedulable().size());
            metrics.attempt(schedule.unschedulable().isEmpty() ? "unchanged" : "unschedulable");
            endRebalance(name, step.balanced(), leader);
            return after;
        }
        long revision;
        ownWrites.sending(name, next);
        try {
            revision = leaderWrites.commitAt(List.of(leader), List.of(new EtcdKv.Guard(keys.desired("stack", name),
                            stackRevision), new EtcdKv.Guard(keys.assignment(name), previousRevision)),
                    List.of(new EtcdKv.Write(keys.assignment(name), json.write(next))));
            if (revision != 0) {
                ownWrites.wrote(name, revision, next);
            }
        } finally {
            ownWrites.answered(name, next);
        }
        if (revision == 0) {
            metrics.attempt("conflict");
            return ReconcileResult.requeueAfter(AFTER_CONFLICT);
        }
        metrics.unschedulable(name, schedule.unschedulable().size());
        metrics.attempt(schedule.unschedulable().isEmpty() ? "written" : "unschedulable");
        endRebalance(name, step.balanced(), leader);
        logWritten(name, current, next, snapshot.down());
        return after;
    }

    private void logWritten(String name, List<Assignment> current, StackAssignment next, Set<String> down) {
        Set<Assignment> before = new HashSet<>(current);
        List<Assignment> placed = next.assignments().stream().filter(a -> !before.contains(a)).toList();
        metrics.placed(placed.size());
        // The replicas that left a down host for another: a down host none of them left is not named.
        List<Assignment> movedOff = current.stream().filter(a -> down.contains(a.host()))
                .filter(a -> placed.stream().anyMatch(p -> p.service().equals(a.service()) && p.replica() == a.replica()))
                .toList();
        int failedOver = movedOff.size();
        metrics.failedOver(failedOver);
        if (!placed.isEmpty()) {
            events.normal("stack", name, "Scheduled", "assigned " + describe(placed));
        }
        if (failedOver > 0) {
            java.util.SortedSet<String> from = new java.util.TreeSet<>();
            movedOff.forEach(a -> from.add(a.host()));
            events.warning("stack", name, "Failover", failedOver + " replica(s) moved off down host(s) "
                    + String.join(", ", from));
        }
        log.info("stack/{}: assigned {} replica(s){}{}{}{}", name, next.assignments().size(),
                placed.isEmpty() ? "" : ", placed " + describe(placed),
                failedOver == 0 ? "" : ", " + failedOver + " moved off down hosts "
                        + movedOff.stream().map(Assignment::host).distinct().sorted().toList(),
                next.unavailable().isEmpty() ? "" : ", " + next.unavailable().size() + " unavailable (failover: false)",
                next.unschedulable().isEmpty() ? "" : ", " + next.unschedulable().size() + " unschedulable: "
                        + next.unschedulable().get(0).message());
    }

    /** A rebalance request is done once nothing is left to move: delete it, so `berth rebalance` can tell. */
    private void endRebalance(String stack, boolean balanced, EtcdKv.Guard leader) {
        if (balanced && kv.commit(List.of(leader), List.of(new EtcdKv.Write(keys.rebalance(stack), null)))) {
            log.info("stack/{}: rebalanced", stack);
        }
    }

    /** Every stack that has an assignment, with its spec: what reservations are counted from. */
    private Map<String, ReservedElsewhere.StackInputs> otherStacks() {
        Map<String, ReservedElsewhere.StackInputs> inputs = new HashMap<>();
        for (String stack : ownWrites.names()) {
            Optional<StoredObject> object = stacks.get(stack);
            inputs.put(stack, new ReservedElsewhere.StackInputs(object.map(o -> o.raw().modRevision()).orElse(0L),
                    object.flatMap(StoredObject::resource).map(r -> r.spec(StackSpec.class)),
                    ownWrites.revision(stack), ownWrites.current(stack)));
        }
        return inputs;
    }

    private ReconcileResult remove(String name, long previousRevision, long stackRevision, String why,
                                   EtcdKv.Guard leader) {
        long revision = leaderWrites.commitAt(List.of(leader), List.of(new EtcdKv.Guard(keys.desired("stack", name),
                        stackRevision), new EtcdKv.Guard(keys.assignment(name), previousRevision)),
                List.of(new EtcdKv.Write(keys.assignment(name), null)));
        if (revision == 0) {
            metrics.attempt("conflict");
            return ReconcileResult.requeueAfter(AFTER_CONFLICT);
        }
        ownWrites.deleted(name, revision);
        metrics.unschedulable(name, 0);
        log.info("stack/{}: assignment removed ({})", name, why);
        return ReconcileResult.done();
    }

    private static String describe(List<Assignment> placed) {
        StringBuilder text = new StringBuilder();
        for (Assignment a : placed.subList(0, Math.min(placed.size(), 10))) {
            text.append(text.length() == 0 ? "" : ", ").append(a.service()).append('-').append(a.replica())
                    .append("->").append(a.host());
        }
        return placed.size() > 10 ? text + ", ..." : text.toString();
    }
}
