package dev.berth.reconcilers.schedule;

import dev.berth.reconcilers.stack.PlacementRule;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The next replica to move between two live hosts, for a drain or a rebalance: a pure function of (demands, hosts,
 * current assignments, handovers in flight, draining hosts), like {@link Scheduler#plan}. One move at a time: while
 * any handover is in flight there is no next move, so a drain or rebalance proceeds replica by replica, each one
 * started on its new host before the old one lets go.
 *
 * <p>{@code current} is what {@link Scheduler#plan} returned for the same demands and hosts; assignments of unknown
 * services or hosts are ignored. Targets are chosen by the same filters and scoring as the place step
 * ({@link HostChoice}), so a moved replica lands where a new one would. Replicas of {@code failover: false}
 * services never move here: their data is on their host.
 * <ul>
 * <li><b>Drain</b> first: the first replica (by service, then number) on a draining host goes to the best other
 *     host; a replica no host takes is passed over, so the rest of the drain is not held up by it.</li>
 * <li><b>Rebalance</b>, only when asked and nothing drains: the first service (by name) whose replica counts over
 *     its eligible hosts (not cordoned, not down, not draining, selected by placement, carrying the spread label)
 *     differ by more than one. With spread, label values are evened first (the replica goes to a host of the value
 *     with fewest), then hosts within each value; hosts of different values are not compared, as spread may
 *     leave them uneven on purpose. The replica with the highest number leaves the most loaded host. A move
 *     is made only when it narrows the gap (target count + 1 &lt; source count), so rebalancing ends.</li>
 * </ul>
 */
public final class Moves {
    private static final Comparator<Assignment> HIGHEST_NUMBER_FIRST =
            Comparator.comparingInt(Assignment::replica).reversed();

    private final Map<String, ServiceDemand> services;
    private final Map<String, Candidate> hosts;
    private final List<Candidate> hostOrder;
    private final List<Assignment> current;
    private final Ledger ledger = new Ledger();

    private Moves(List<ServiceDemand> demands, List<Candidate> candidates, List<Assignment> assignments,
                  Set<String> draining) {
        services = Scheduler.byService(demands);
        Map<String, Candidate> byName = new HashMap<>();
        // A draining host takes nothing, whether or not the caller also passed it cordoned.
        Scheduler.byName(candidates).forEach((n, c) -> byName.put(n, draining.contains(n) ? c.cordon() : c));
        hosts = byName;
        hostOrder = Scheduler.inNameOrder(hosts);
        List<Assignment> known = new ArrayList<>();
        for (Assignment a : assignments) {
            ServiceDemand demand = services.get(a.service());
            Candidate host = hosts.get(a.host());
            if (demand != null && host != null) {
                ledger.add(demand, host);
                known.add(a);
            }
        }
        known.sort(Assignment.ORDER);
        current = known;
    }

    /**
     * @param inFlight  handovers not yet finished; any one means no next move
     * @param draining  hosts being drained (the caller also passes them cordoned)
     * @param rebalance whether a rebalance was requested for these services
     */
    public static Optional<Handover> next(List<ServiceDemand> demands, List<Candidate> hosts,
                                          List<Assignment> current, List<Handover> inFlight, Set<String> draining,
                                          boolean rebalance) {
        if (!inFlight.isEmpty()) {
            return Optional.empty();
        }
        Moves moves = new Moves(demands, hosts, current, draining);
        Optional<Handover> drain = moves.drain(draining);
        if (drain.isPresent() || !rebalance) {
            return drain;
        }
        return moves.rebalance();
    }

    /**
     * Whether a rebalance has nothing left to move: the caller drops a rebalance request once this holds (with no
     * handover in flight). Also true when the counts are uneven but filters (capacity, maxPerHost, fixed ports)
     * leave no move that would narrow the gap.
     */
    public static boolean balanced(List<ServiceDemand> demands, List<Candidate> hosts, List<Assignment> current,
                                   Set<String> draining) {
        return new Moves(demands, hosts, current, draining).rebalance().isEmpty();
    }

    /** Whether a drain has nothing left that it could move: no failover replica on a draining host has a target. */
    public static boolean drained(List<ServiceDemand> demands, List<Candidate> hosts, List<Assignment> current,
                                  Set<String> draining) {
        return new Moves(demands, hosts, current, draining).drain(draining).isEmpty();
    }

    /** {@code current} with the handed-over replica assigned to its new host (the old host keeps its container). */
    public static List<Assignment> apply(List<Assignment> current, Handover move) {
        List<Assignment> out = new ArrayList<>(current.size());
        for (Assignment a : current) {
            boolean moved = a.service().equals(move.service()) && a.replica() == move.replica()
                    && a.host().equals(move.from());
            out.add(moved ? new Assignment(a.service(), a.replica(), move.to()) : a);
        }
        return out;
    }

    private Optional<Handover> drain(Set<String> draining) {
        for (Assignment a : current) {
            ServiceDemand demand = services.get(a.service());
            if (!draining.contains(a.host()) || !demand.failover()) {
                continue;
            }
            Optional<Handover> move = moveTo(demand, a, hostOrder, target -> true);
            if (move.isPresent()) {
                return move;
            }
        }
        return Optional.empty();
    }

    private Optional<Handover> rebalance() {
        for (ServiceDemand demand : services.values()) {
            if (!demand.failover()) {
                continue;
            }
            List<Candidate> eligible = hostOrder.stream().filter(h -> eligible(demand, h)).toList();
            if (eligible.size() < 2) {
                continue;
            }
            Optional<Handover> move = demand.spreadLabel() == null ? Optional.empty() : evenValues(demand, eligible);
            if (move.isEmpty()) {
                move = evenHosts(demand, eligible);
            }
            if (move.isPresent()) {
                return move;
            }
        }
        return Optional.empty();
    }

    /** Label values of the spread: a replica from the fullest value to a host of the emptiest one. */
    private Optional<Handover> evenValues(ServiceDemand demand, List<Candidate> eligible) {
        String label = demand.spreadLabel();
        Map<String, Integer> perValue = new TreeMap<>();
        for (Candidate h : eligible) {
            perValue.merge(h.labels().get(label), ledger.count(demand.service(), h.name()), Integer::sum);
        }
        int fewest = perValue.values().stream().min(Integer::compare).orElseThrow();
        List<Candidate> targets = eligible.stream().filter(h -> perValue.get(h.labels().get(label)) == fewest)
                .toList();
        List<Candidate> sources = eligible.stream()
                .filter(h -> perValue.get(h.labels().get(label)) > fewest + 1)
                .sorted(Comparator.<Candidate>comparingInt(h -> -perValue.get(h.labels().get(label)))
                        .thenComparingInt(h -> -ledger.count(demand.service(), h.name()))
                        .thenComparing(Candidate::name))
                .toList();
        return fromFirst(demand, sources, targets, target -> true);
    }

    /** Hosts (within one spread value, when spread): a replica from the fullest host to the emptiest. */
    private Optional<Handover> evenHosts(ServiceDemand demand, List<Candidate> eligible) {
        String label = demand.spreadLabel();
        List<Candidate> sources = eligible.stream()
                .sorted(Comparator.<Candidate>comparingInt(h -> -ledger.count(demand.service(), h.name()))
                        .thenComparing(Candidate::name))
                .toList();
        for (Candidate source : sources) {
            int here = ledger.count(demand.service(), source.name());
            List<Candidate> targets = eligible.stream()
                    .filter(h -> label == null || source.labels().get(label).equals(h.labels().get(label)))
                    .toList();
            Optional<Handover> move = fromFirst(demand, List.of(source), targets,
                    target -> ledger.count(demand.service(), target.name()) + 1 < here);
            if (move.isPresent()) {
                return move;
            }
        }
        return Optional.empty();
    }

    /** The highest-numbered replica of the first source that has a target passing {@code narrows}. */
    private Optional<Handover> fromFirst(ServiceDemand demand, List<Candidate> sources, List<Candidate> targets,
                                         Predicate<Candidate> narrows) {
        for (Candidate source : sources) {
            Optional<Assignment> highest = current.stream()
                    .filter(a -> a.service().equals(demand.service()) && a.host().equals(source.name()))
                    .min(HIGHEST_NUMBER_FIRST);
            if (highest.isPresent()) {
                Optional<Handover> move = moveTo(demand, highest.get(), targets, narrows);
                if (move.isPresent()) {
                    return move;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Where the place step would put this replica if its host did not run it: the best of {@code targets} other
     * than its own host, if that one narrows the gap.
     */
    private Optional<Handover> moveTo(ServiceDemand demand, Assignment replica, List<Candidate> targets,
                                      Predicate<Candidate> narrows) {
        Candidate from = hosts.get(replica.host());
        List<Candidate> others = targets.stream().filter(h -> !h.name().equals(from.name())).toList();
        ledger.remove(demand, from);
        HostChoice choice = HostChoice.best(demand, others, ledger);
        ledger.add(demand, from);
        if (choice.host() == null || !narrows.test(choice.host())) {
            return Optional.empty();
        }
        return Optional.of(new Handover(demand.service(), replica.replica(), from.name(), choice.host().name()));
    }

    private static boolean eligible(ServiceDemand demand, Candidate host) {
        return !host.cordoned() && !host.down()
                && PlacementRule.placedHere(demand.placement(), host.hostInfo())
                && (demand.spreadLabel() == null || host.labels().containsKey(demand.spreadLabel()));
    }
}
