package dev.berth.operator.schedule;

import dev.berth.crds.stack.StackSpec;
import dev.berth.operator.cache.AssignmentJson;
import dev.berth.operator.cache.Assignments;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.kit.ReconcileResult;
import dev.berth.operator.kit.Reconciler;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoreException;
import dev.berth.operator.store.StoredObject;
import dev.berth.reconcilers.Deadline;
import dev.berth.reconcilers.desired.DesiredHere;
import dev.berth.crds.stack.UpdateSpec;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.store.StatusCodec;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.schedule.Assignment;
import dev.berth.reconcilers.schedule.Handover;
import dev.berth.reconcilers.schedule.Moves;
import dev.berth.reconcilers.stack.StackNames;
import dev.berth.reconcilers.schedule.Candidate;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The cluster-wide scheduler, run by the leader of the {@code scheduler} election. A key is a stack name (plan the
 * stack: write which replica of which replicated service runs on which host) or {@code host/<name>} (record that
 * the host came or went, the clock failover runs on). Each stack is planned from the whole state, never from an
 * event: its spec, the hosts (live, cordoned, unreachable within {@code --failover-after}, down) and its current
 * assignment, with the pure {@link Scheduler}. The assignment is written only when the decision changed, in one
 * transaction guarded on the stack's and the previous assignment's mod revisions, so a stale leader or a stack
 * changed meanwhile writes nothing.
 */
public final class SchedulerReconciler implements Reconciler {
    /** Keys of the host book: no stack name contains a slash. */
    public static final String HOST_KEY = "host/";
    private static final Logger log = LoggerFactory.getLogger(SchedulerReconciler.class);
    private static final Duration NOT_SYNCED_RETRY = Duration.ofSeconds(1);
    private static final Duration AFTER_CONFLICT = Duration.ofMillis(200);
    /** How often a handover's target is looked at: its status row is read, not watched. */
    private static final Duration HANDOVER_POLL = Duration.ofSeconds(1);
    /** How long a move may wait for its target to run the replica (an image pull and a health check included). */
    private static final Duration HANDOVER_TIMEOUT = Duration.ofMinutes(5);

    private final DesiredInformer stacks;
    private final Assignments assignments;
    private final HostBook hosts;
    private final EtcdKv kv;
    private final KeyLayout keys;
    private final Clock clock;
    private final BooleanSupplier leading;
    private final SchedulerMetrics metrics;
    private final AssignmentJson json = new AssignmentJson();
    private final ReservedElsewhere reservations = new ReservedElsewhere();
    /** This leader's own writes the informer may not show yet, by stack (an empty value: deleted). */
    private final Map<String, Written> written = new java.util.concurrent.ConcurrentHashMap<>();

    private record Written(long revision, Optional<StackAssignment> value) {
    }

    /** Until when moves of a stack avoid a host a move of it failed on (kept in memory: a new leader tries again). */
    private final Map<Avoid, Instant> avoid = new java.util.concurrent.ConcurrentHashMap<>();

    private record Avoid(String stack, String host) {
    }
    private final StatusCodec statusCodec = new StatusCodec();
    private final EtcdInformer<StoredValue> rebalances;

    /** @param rebalances rebalance requests by stack name ({@code berth rebalance stack NAME}) */
    public SchedulerReconciler(DesiredInformer stacks, Assignments assignments, HostBook hosts,
                               EtcdInformer<StoredValue> rebalances, EtcdKv kv, KeyLayout keys, Clock clock,
                               BooleanSupplier leading, SchedulerMetrics metrics) {
        this.rebalances = rebalances;
        this.stacks = stacks;
        this.assignments = assignments;
        this.hosts = hosts;
        this.kv = kv;
        this.keys = keys;
        this.clock = clock;
        this.leading = leading;
        this.metrics = metrics;
    }

    /** Every stack and every known host: what a new leader and each resync look at. */
    public List<String> allKeys() {
        List<String> all = new ArrayList<>(stackKeys());
        hosts.names().forEach(h -> all.add(HOST_KEY + h));
        return all;
    }

    /** Stacks in etcd, and stacks that only have an assignment left (deleted meanwhile). */
    public Set<String> stackKeys() {
        Set<String> names = new HashSet<>(stacks.names());
        names.addAll(assignments.names());
        return names;
    }

    @Override
    public ReconcileResult reconcile(String key, Deadline deadline) {
        if (!leading.getAsBoolean()) {
            return ReconcileResult.done();
        }
        if (!stacks.synced() || !assignments.synced() || !hosts.synced() || !rebalances.synced()) {
            return ReconcileResult.requeueAfter(NOT_SYNCED_RETRY);
        }
        try {
            if (key.startsWith(HOST_KEY)) {
                hosts.record(key.substring(HOST_KEY.length()), clock.instant());
                return ReconcileResult.done();
            }
            try (MDC.MDCCloseable ignored = MDC.putCloseable("object", "stack/" + key)) {
                return schedule(key);
            }
        } catch (StoreException e) {
            return ReconcileResult.failed("etcd: " + e.getMessage());
        }
    }

    private ReconcileResult schedule(String name) {
        Optional<StoredObject> object = stacks.get(name);
        Optional<StackAssignment> previous = current(name);
        long previousRevision = currentRevision(name);
        if (object.isEmpty() || object.get().resource().isEmpty()) {
            if (object.isEmpty() && previousRevision != 0) {
                return remove(name, previousRevision, 0, "stack deleted");
            }
            // An invalid spec keeps its assignment: hosts keep what runs until a valid one comes.
            return ReconcileResult.done();
        }
        StackSpec spec = object.get().resource().get().spec(StackSpec.class);
        long stackRevision = object.get().raw().modRevision();
        if (!DesiredHere.scheduled(spec)) {
            return previousRevision == 0 ? ReconcileResult.done()
                    : remove(name, previousRevision, stackRevision, "no replicated service");
        }
        List<ServiceDemand> demands;
        try {
            demands = StackDemands.of(spec);
        } catch (IllegalArgumentException e) {
            return ReconcileResult.failed("InvalidSpec: " + e.getMessage());
        }
        Instant now = clock.instant();
        // Capacity matters only to a stack that reserves some: the others skip reading every other stack.
        Map<String, ReservedElsewhere.Reserved> reserved = demands.stream().anyMatch(d -> d.reservation() != null)
                ? reservations.byHost(name, otherStacks()) : Map.of();
        List<Candidate> candidates = new ArrayList<>();
        Set<String> down = new HashSet<>();
        Set<String> draining = new HashSet<>();
        Set<String> live = new HashSet<>();
        Duration recheck = null;
        for (String host : hosts.names()) {
            HostBook.State state = hosts.state(host, now);
            switch (state) {
                case READY, CORDONED, DRAINING -> {
                    Optional<HostRecord> record = hosts.live(host);
                    if (record.isEmpty()) {
                        // Gone since the state was read: the next event about it plans again.
                        candidates.add(new Candidate(host, labelsOf(host), true, null));
                        continue;
                    }
                    candidates.add(live(host, record.get(), state != HostBook.State.READY, reserved));
                    live.add(host);
                    if (state == HostBook.State.DRAINING) {
                        draining.add(host);
                    }
                }
                case UNREACHABLE -> {
                    // Within --failover-after: keeps what it has, gets nothing new (a lease TTL alone moves nothing).
                    candidates.add(new Candidate(host, labelsOf(host), true, null));
                    Duration left = hosts.untilDown(host, now);
                    recheck = recheck == null || left.compareTo(recheck) < 0 ? left : recheck;
                }
                case DOWN -> {
                    // Keeps only what must not move (failover: false), reported unavailable.
                    candidates.add(new Candidate(host, labelsOf(host), true, null, true));
                    down.add(host);
                }
            }
        }
        List<Assignment> current = previous.map(StackAssignment::assignments).orElse(List.of());
        Schedule schedule = Scheduler.plan(demands, candidates, current);
        List<Assignment> assigned = schedule.assignments();
        List<Handover> handovers = new ArrayList<>();
        for (Handover h : handoversLeft(name, spec, previous, assigned, live)) {
            if (givenUp(h, now)) {
                // The target never ran it: the replica stays where it runs, and the move is tried again later.
                assigned = Moves.apply(assigned, new Handover(h.service(), h.replica(), h.to(), h.from()));
                avoid.put(new Avoid(name, h.to()), now.plus(HANDOVER_TIMEOUT));
                log.warn("stack/{}: {}-{} did not run on {} within {}; it stays on {}", name, h.service(), h.replica(),
                        h.to(), HANDOVER_TIMEOUT, h.from());
                continue;
            }
            handovers.add(h);
        }
        boolean rebalance = rebalances.get(name).isPresent();
        boolean balanced = false;
        if (handovers.isEmpty()) {
            avoid.values().removeIf(until -> until.isBefore(now));
            // A host a move of this stack just failed on takes no move of it for a while (it may take new replicas).
            List<Candidate> targets = candidates.stream().map(c -> avoid.containsKey(new Avoid(name, c.name()))
                    ? new Candidate(c.name(), c.labels(), true, c.capacity(), c.down()) : c).toList();
            Optional<Handover> move = Moves.next(demands, targets, assigned, List.of(), draining, rebalance);
            if (move.isPresent()) {
                assigned = Moves.apply(assigned, move.get());
                // Start-first across hosts: the old host keeps the replica until the new one runs it. A service
                // updated with recreate gets no handover: the old host lets it go as the new one starts it.
                if (startFirst(spec, move.get().service())) {
                    handovers = List.of(move.get().since(now.toString()));
                }
                log.info("stack/{}: moving {}-{} from {} to {} ({})", name, move.get().service(), move.get().replica(),
                        move.get().from(), move.get().to(), draining.contains(move.get().from()) ? "drain" : "rebalance");
            } else {
                balanced = rebalance;
            }
        }
        StackAssignment next = new StackAssignment(name, stackRevision, assigned, handovers,
                schedule.unschedulable(), schedule.unavailable(), now.toString());
        metrics.unschedulable(name, schedule.unschedulable().size());
        ReconcileResult after = !handovers.isEmpty() ? ReconcileResult.requeueAfter(HANDOVER_POLL)
                : recheck == null ? ReconcileResult.done() : ReconcileResult.requeueAfter(recheck.plusMillis(100));
        if (next.sameDecision(previous.orElse(null))) {
            metrics.attempt(schedule.unschedulable().isEmpty() ? "unchanged" : "unschedulable");
            endRebalance(name, balanced);
            return after;
        }
        long revision = kv.commitAt(List.of(new EtcdKv.Guard(keys.desired("stack", name), stackRevision),
                        new EtcdKv.Guard(keys.assignment(name), previousRevision)),
                List.of(new EtcdKv.Write(keys.assignment(name), json.write(next))));
        if (revision == 0) {
            metrics.attempt("conflict");
            return ReconcileResult.requeueAfter(AFTER_CONFLICT);
        }
        written.put(name, new Written(revision, Optional.of(next)));
        metrics.attempt(schedule.unschedulable().isEmpty() ? "written" : "unschedulable");
        endRebalance(name, balanced);
        Set<Assignment> before = new HashSet<>(current);
        List<Assignment> placed = assigned.stream().filter(a -> !before.contains(a)).toList();
        metrics.placed(placed.size());
        long failedOver = current.stream().filter(a -> down.contains(a.host()))
                .filter(a -> placed.stream().anyMatch(p -> p.service().equals(a.service()) && p.replica() == a.replica()))
                .count();
        metrics.failedOver((int) failedOver);
        log.info("stack/{}: assigned {} replica(s){}{}{}{}", name, assigned.size(),
                placed.isEmpty() ? "" : ", placed " + describe(placed),
                failedOver == 0 ? "" : ", " + failedOver + " moved off down hosts " + down,
                schedule.unavailable().isEmpty() ? "" : ", " + schedule.unavailable().size() + " unavailable (failover: false)",
                schedule.unschedulable().isEmpty() ? "" : ", " + schedule.unschedulable().size() + " unschedulable: "
                        + schedule.unschedulable().get(0).message());
        return after;
    }

    /**
     * The handovers still under way: each one's replica is still assigned to its target, its old host is live, and
     * the target does not yet report the replica running (healthy, if the service is checked) at the current spec.
     * Read from the target's status row, only while a handover is in flight.
     */
    private List<Handover> handoversLeft(String stack, StackSpec spec, Optional<StackAssignment> previous,
                                         List<Assignment> assigned, Set<String> live) {
        List<Handover> left = new ArrayList<>();
        for (Handover h : previous.map(StackAssignment::handovers).orElse(List.of())) {
            if (!assigned.contains(new Assignment(h.service(), h.replica(), h.to())) || !live.contains(h.from())) {
                continue;
            }
            if (runsOn(stack, spec, h)) {
                log.info("stack/{}: {}-{} runs on {}; {} lets it go", stack, h.service(), h.replica(), h.to(), h.from());
                continue;
            }
            left.add(h);
        }
        return left;
    }

    private static boolean givenUp(Handover h, Instant now) {
        try {
            return h.since() != null && Duration.between(Instant.parse(h.since()), now).compareTo(HANDOVER_TIMEOUT) > 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private boolean runsOn(String stack, StackSpec spec, Handover h) {
        boolean checked = spec.services().stream().filter(s -> s.name().equals(h.service())).findFirst()
                .map(s -> s.healthcheck() != null && !s.healthcheck().test().isEmpty()
                        && !"NONE".equals(s.healthcheck().test().get(0)))
                .orElse(false);
        String container = StackNames.container(stack, h.service(), h.replica());
        return kv.get(keys.status("stack", stack, h.to())).flatMap(v -> statusCodec.read(v.value()))
                .map(status -> status.replicas().stream().anyMatch(r -> r.name().equals(container)
                        && "running".equals(r.state()) && r.reason().isEmpty()
                        && (!checked || "healthy".equals(r.health()))))
                .orElse(false);
    }

    private static boolean startFirst(StackSpec spec, String service) {
        return spec.services().stream().filter(s -> s.name().equals(service)).findFirst()
                .map(s -> !UpdateSpec.RECREATE.equals(s.update() == null ? null : s.update().strategy()))
                .orElse(true);
    }

    /** A rebalance request is done once nothing is left to move: delete it, so `berth rebalance` can tell. */
    private void endRebalance(String stack, boolean balanced) {
        if (balanced) {
            kv.delete(keys.rebalance(stack));
            log.info("stack/{}: rebalanced", stack);
        }
    }

    private Candidate live(String host, HostRecord record, boolean cordoned,
                           Map<String, ReservedElsewhere.Reserved> reserved) {
        Capacity capacity = null;
        if (record.cpuMillis() != null && record.memoryBytes() != null) {
            ReservedElsewhere.Reserved used = reserved.getOrDefault(host, ReservedElsewhere.Reserved.NONE);
            capacity = new Capacity(Math.max(0, record.cpuMillis() - used.cpuMillis()),
                    Math.max(0, record.memoryBytes() - used.memoryBytes()));
        }
        return new Candidate(host, record.labels(), cordoned, capacity);
    }

    /** Every stack that has an assignment, with its spec: what reservations are counted from. */
    private Map<String, ReservedElsewhere.StackInputs> otherStacks() {
        Map<String, ReservedElsewhere.StackInputs> inputs = new java.util.HashMap<>();
        Set<String> names = new HashSet<>(assignments.names());
        names.addAll(written.keySet());
        for (String stack : names) {
            Optional<StoredObject> object = stacks.get(stack);
            inputs.put(stack, new ReservedElsewhere.StackInputs(object.map(o -> o.raw().modRevision()).orElse(0L),
                    object.flatMap(StoredObject::resource).map(r -> r.spec(StackSpec.class)),
                    currentRevision(stack), current(stack)));
        }
        return inputs;
    }

    /**
     * The stack's assignment as this leader last wrote it, until the informer shows that write (or a later one):
     * the next stack planned must count the capacity this one just took, and a re-plan must guard on the revision
     * really stored.
     */
    private Optional<StackAssignment> current(String stack) {
        Written mine = written.get(stack);
        if (mine != null && mine.revision() > assignments.revision(stack)) {
            return mine.value();
        }
        written.remove(stack, mine);
        return assignments.of(stack);
    }

    private long currentRevision(String stack) {
        Written mine = written.get(stack);
        if (mine != null && mine.revision() > assignments.revision(stack)) {
            // A key this leader deleted must not exist (guard 0), whatever the informer still holds.
            return mine.value().isPresent() ? mine.revision() : 0;
        }
        return assignments.revision(stack);
    }

    private Map<String, String> labelsOf(String host) {
        return hosts.member(host).map(MemberRecord::labels).orElse(Map.of());
    }

    private ReconcileResult remove(String name, long previousRevision, long stackRevision, String why) {
        long revision = kv.commitAt(List.of(new EtcdKv.Guard(keys.desired("stack", name), stackRevision),
                        new EtcdKv.Guard(keys.assignment(name), previousRevision)),
                List.of(new EtcdKv.Write(keys.assignment(name), null)));
        metrics.unschedulable(name, 0);
        if (revision != 0) {
            written.put(name, new Written(revision, Optional.empty()));
        }
        if (revision == 0) {
            metrics.attempt("conflict");
            return ReconcileResult.requeueAfter(AFTER_CONFLICT);
        }
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
