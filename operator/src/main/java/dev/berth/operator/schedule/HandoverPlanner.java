package dev.berth.operator.schedule;

import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.status.ReplicaStatus;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.stack.UpdateSpec;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StatusCodec;
import dev.berth.reconcilers.schedule.Assignment;
import dev.berth.reconcilers.schedule.Candidate;
import dev.berth.reconcilers.schedule.Handover;
import dev.berth.reconcilers.schedule.Moves;
import dev.berth.reconcilers.schedule.ServiceDemand;
import dev.berth.reconcilers.schedule.StackAssignment;
import dev.berth.reconcilers.stack.StackNames;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains and rebalances, one replica of a stack at a time: ends the handovers whose target runs the replica (read
 * from the target's status row, only while a handover is in flight), gives up one whose target has not run it
 * within {@link #TIMEOUT} (the replica stays, that host is avoided for a while), and otherwise starts the next move
 * {@link Moves} picks.
 */
final class HandoverPlanner {
    /** How long a move may wait for its target to run the replica (an image pull and a health check included). */
    static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final Logger log = LoggerFactory.getLogger(HandoverPlanner.class);

    /** The assignments and handovers after this step; {@code balanced}: a rebalance asked for has nothing to move. */
    record Step(List<Assignment> assigned, List<Handover> handovers, boolean balanced) {
    }

    private record Avoid(String stack, String host) {
    }

    private final EtcdKv kv;
    private final KeyLayout keys;
    private final StatusCodec statusCodec = new StatusCodec();
    /** Until when moves of a stack avoid a host a move of it failed on (in memory: a new leader tries again). */
    private final Map<Avoid, Instant> avoid = new ConcurrentHashMap<>();

    HandoverPlanner(EtcdKv kv, KeyLayout keys) {
        this.kv = kv;
        this.keys = keys;
    }

    Step step(String stack, StackSpec spec, List<ServiceDemand> demands, HostSnapshot hosts, List<Assignment> assigned,
              Optional<StackAssignment> previous, boolean rebalance, Instant now) {
        List<Assignment> result = assigned;
        List<Handover> inFlight = new ArrayList<>();
        for (Handover h : previous.map(StackAssignment::handovers).orElse(List.of())) {
            if (!result.contains(new Assignment(h.service(), h.replica(), h.to())) || !hosts.live().contains(h.from())) {
                continue;
            }
            if (runsOn(stack, spec, h)) {
                log.info("stack/{}: {}-{} runs on {}; {} lets it go", stack, h.service(), h.replica(), h.to(), h.from());
            } else if (givenUp(h, now)) {
                result = Moves.apply(result, new Handover(h.service(), h.replica(), h.to(), h.from()));
                avoid.put(new Avoid(stack, h.to()), now.plus(TIMEOUT));
                log.warn("stack/{}: {}-{} did not run on {} within {}; it stays on {}", stack, h.service(), h.replica(),
                        h.to(), TIMEOUT, h.from());
            } else {
                inFlight.add(h);
            }
        }
        if (!inFlight.isEmpty()) {
            return new Step(result, inFlight, false);
        }
        avoid.values().removeIf(until -> until.isBefore(now));
        // A host a move of this stack just failed on takes no move of it for a while (it may take new replicas).
        List<Candidate> targets = hosts.candidates().stream().map(c -> avoid.containsKey(new Avoid(stack, c.name()))
                ? new Candidate(c.name(), c.labels(), true, c.capacity(), c.down()) : c).toList();
        Optional<Handover> move = Moves.next(demands, targets, result, List.of(), hosts.draining(), rebalance);
        if (move.isEmpty()) {
            return new Step(result, List.of(), rebalance);
        }
        log.info("stack/{}: moving {}-{} from {} to {} ({})", stack, move.get().service(), move.get().replica(),
                move.get().from(), move.get().to(), hosts.draining().contains(move.get().from()) ? "drain" : "rebalance");
        // Start-first across hosts: the old host keeps the replica until the new one runs it. A service updated with
        // recreate gets no handover: the old host lets it go as the new one starts it.
        List<Handover> started = startFirst(spec, move.get().service())
                ? List.of(move.get().since(now.toString())) : List.of();
        return new Step(Moves.apply(result, move.get()), started, false);
    }

    private static boolean givenUp(Handover h, Instant now) {
        try {
            return h.since() != null && Duration.between(Instant.parse(h.since()), now).compareTo(TIMEOUT) > 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The target reports the replica running at the current spec (no action pending on it), healthy if checked. */
    private boolean runsOn(String stack, StackSpec spec, Handover h) {
        boolean checked = service(spec, h.service()).map(s -> s.healthcheck() != null && !s.healthcheck().test().isEmpty()
                && !"NONE".equals(s.healthcheck().test().get(0))).orElse(false);
        String container = service(spec, h.service()).map(s -> StackNames.container(stack, s, h.replica()))
                .orElse(StackNames.container(stack, h.service(), h.replica()));
        return kv.get(keys.status("stack", stack, h.to())).flatMap(v -> statusCodec.read(v.value()))
                .map(status -> status.replicas().stream().anyMatch(r -> r.name().equals(container) && taken(r, checked)))
                .orElse(false);
    }

    /**
     * Whether a target's row shows it has taken the replica over: running as wanted (healthy if checked), or a
     * one-shot replica that ran to exit 0 there ("completed"): it will never be running, and waiting for that would
     * give the handover up after {@link #TIMEOUT}, remove it and try the job again on the next host.
     */
    static boolean taken(ReplicaStatus r, boolean checked) {
        boolean running = "running".equals(r.state()) && r.reason().isEmpty() && (!checked || "healthy".equals(r.health()));
        return running || "exited".equals(r.state()) && "completed".equals(r.reason());
    }

    /**
     * Whether a move of this service is a start-first handover: unless it updates with recreate, or it is a one-shot
     * service. A job's old container has ended (or runs its own copy of the job): there is nothing to keep serving,
     * and a handover would wait for the new one to be "running". A one-shot replica moves like a recreate: the old
     * host removes its container as the new host runs the job once (a drained host's job runs once elsewhere, as a
     * failed-over one does).
     */
    static boolean startFirst(StackSpec spec, String service) {
        return service(spec, service).map(s -> !s.oneShot()
                        && !UpdateSpec.RECREATE.equals(s.update() == null ? null : s.update().strategy()))
                .orElse(true);
    }

    private static Optional<ServiceSpec> service(StackSpec spec, String name) {
        return spec.services().stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
