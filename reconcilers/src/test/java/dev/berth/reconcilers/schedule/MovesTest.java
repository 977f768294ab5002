package dev.berth.reconcilers.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.stack.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MovesTest {
    private static final long GIB = 1024L * 1024 * 1024;

    private static Candidate host(String name) {
        return host(name, Map.of());
    }

    private static Candidate host(String name, Map<String, String> labels) {
        return new Candidate(name, labels, false, new Capacity(4000, 8 * GIB));
    }

    private static Candidate cordoned(String name) {
        return new Candidate(name, Map.of(), true, new Capacity(4000, 8 * GIB));
    }

    private static final List<Candidate> THREE = List.of(host("hb1"), host("hb2"), host("hb3"));

    private static Map<String, Integer> spread(List<Assignment> assignments, String service) {
        Map<String, Integer> counts = new TreeMap<>();
        assignments.stream().filter(a -> a.service().equals(service)).forEach(a -> counts.merge(a.host(), 1,
                Integer::sum));
        return counts;
    }

    /** Runs moves to the end as the scheduler controller would: one at a time, each finished before the next. */
    private static List<Handover> runAll(List<ServiceDemand> demands, List<Candidate> hosts, List<Assignment> start,
                                        Set<String> draining, boolean rebalance, List<Assignment> end) {
        List<Handover> moves = new ArrayList<>();
        List<Assignment> current = start;
        for (int i = 0; i < 20; i++) {
            Optional<Handover> next = Moves.next(demands, hosts, current, List.of(), draining, rebalance);
            if (next.isEmpty()) {
                end.addAll(current);
                return moves;
            }
            moves.add(next.get());
            current = Scheduler.plan(demands, hosts, Moves.apply(current, next.get())).assignments();
        }
        throw new AssertionError("moves did not end: " + moves);
    }

    @Test
    void drainMovesOneReplicaAtATimeToWherePlaceWouldPutIt() {
        ServiceDemand web = ServiceDemand.of("web", 4);
        List<Assignment> start = Scheduler.plan(List.of(web), THREE, List.of()).assignments();
        assertEquals(Map.of("hb1", 2, "hb2", 1, "hb3", 1), spread(start, "web"));
        List<Candidate> hb1Draining = List.of(cordoned("hb1"), host("hb2"), host("hb3"));
        Set<String> draining = Set.of("hb1");

        Optional<Handover> first = Moves.next(List.of(web), hb1Draining, start, List.of(), draining, false);

        assertEquals(Optional.of(new Handover("web", 1, "hb1", "hb2")), first);
        // While it is in flight, nothing else moves.
        assertEquals(Optional.empty(), Moves.next(List.of(web), hb1Draining, start, List.of(first.get()),
                draining, true));
        List<Assignment> afterFirst = Moves.apply(start, first.get());
        assertEquals(afterFirst, Scheduler.plan(List.of(web), hb1Draining, afterFirst).assignments());
        assertFalse(Moves.drained(List.of(web), hb1Draining, afterFirst, draining));

        // The second replica goes to the host that now has fewer.
        Optional<Handover> second = Moves.next(List.of(web), hb1Draining, afterFirst, List.of(), draining, false);
        assertEquals(Optional.of(new Handover("web", 4, "hb1", "hb3")), second);
        List<Assignment> afterSecond = Moves.apply(afterFirst, second.get());
        assertEquals(Map.of("hb2", 2, "hb3", 2), spread(afterSecond, "web"));
        assertEquals(Optional.empty(), Moves.next(List.of(web), hb1Draining, afterSecond, List.of(), draining, false));
        assertTrue(Moves.drained(List.of(web), hb1Draining, afterSecond, draining));
    }

    @Test
    void drainLeavesFailoverFalseReplicasWhereTheyAre() {
        ServiceDemand db = ServiceDemand.of("db", 1).withFailover(false);
        ServiceDemand web = ServiceDemand.of("web", 1);
        List<Assignment> start = List.of(new Assignment("db", 1, "hb1"), new Assignment("web", 1, "hb1"));
        List<Candidate> hosts = List.of(cordoned("hb1"), host("hb2"), host("hb3"));

        List<Assignment> end = new ArrayList<>();
        List<Handover> moves = runAll(List.of(db, web), hosts, start, Set.of("hb1"), false, end);

        assertEquals(List.of(new Handover("web", 1, "hb1", "hb2")), moves);
        assertEquals(List.of(new Assignment("db", 1, "hb1"), new Assignment("web", 1, "hb2")), end);
    }

    @Test
    void drainPassesOverAReplicaNoOtherHostTakes() {
        ServiceDemand pinned = ServiceDemand.of("a", 1).withPlacement(new Placement(List.of("hb1"), null));
        ServiceDemand web = ServiceDemand.of("web", 1);
        List<Assignment> start = List.of(new Assignment("a", 1, "hb1"), new Assignment("web", 1, "hb1"));
        List<Candidate> hosts = List.of(cordoned("hb1"), host("hb2"));

        Optional<Handover> move = Moves.next(List.of(pinned, web), hosts, start, List.of(), Set.of("hb1"), false);

        assertEquals(Optional.of(new Handover("web", 1, "hb1", "hb2")), move);
        List<Assignment> after = Moves.apply(start, move.get());
        assertTrue(Moves.drained(List.of(pinned, web), hosts, after, Set.of("hb1")));
    }

    @Test
    void aDrainingHostTakesNothingEvenWhenNotPassedCordoned() {
        ServiceDemand web = ServiceDemand.of("web", 2);
        List<Assignment> start = List.of(new Assignment("web", 1, "hb1"), new Assignment("web", 2, "hb2"));

        // hb2 drains too; hb1 and hb2 are both listed as plain live hosts by mistake.
        Optional<Handover> move = Moves.next(List.of(web), THREE, start, List.of(), Set.of("hb1", "hb2"), false);

        assertEquals(Optional.of(new Handover("web", 1, "hb1", "hb3")), move);
    }

    @Test
    void aJoiningHostMovesNothingWithoutRebalanceAndOneAtATimeWithIt() {
        ServiceDemand web = ServiceDemand.of("web", 4);
        List<Assignment> start = Scheduler.plan(List.of(web), List.of(host("hb1"), host("hb2")), List.of())
                .assignments();
        assertEquals(Map.of("hb1", 2, "hb2", 2), spread(start, "web"));

        assertEquals(Optional.empty(), Moves.next(List.of(web), THREE, start, List.of(), Set.of(), false));
        assertEquals(start, Scheduler.plan(List.of(web), THREE, start).assignments());
        assertFalse(Moves.balanced(List.of(web), THREE, start, Set.of()));

        Optional<Handover> move = Moves.next(List.of(web), THREE, start, List.of(), Set.of(), true);

        // The highest number leaves the fullest host (hb1 by name among equals).
        assertEquals(Optional.of(new Handover("web", 3, "hb1", "hb3")), move);
        List<Assignment> after = Moves.apply(start, move.get());
        assertEquals(Map.of("hb1", 1, "hb2", 2, "hb3", 1), spread(after, "web"));
        assertTrue(Moves.balanced(List.of(web), THREE, after, Set.of()));
        assertEquals(Optional.empty(), Moves.next(List.of(web), THREE, after, List.of(), Set.of(), true));
    }

    @Test
    void rebalanceEvensLabelValuesFirstThenHostsWithinAValue() {
        List<Candidate> zones = List.of(host("hb1", Map.of("zone", "a")), host("hb2", Map.of("zone", "a")),
                host("hb3", Map.of("zone", "b")));
        ServiceDemand web = ServiceDemand.of("web", 4).withSpread("zone");
        List<Assignment> start = List.of(new Assignment("web", 1, "hb1"), new Assignment("web", 2, "hb2"),
                new Assignment("web", 3, "hb1"), new Assignment("web", 4, "hb2"));

        List<Assignment> end = new ArrayList<>();
        List<Handover> moves = runAll(List.of(web), zones, start, Set.of(), true, end);

        assertEquals(List.of(new Handover("web", 3, "hb1", "hb3"), new Handover("web", 4, "hb2", "hb3")), moves);
        assertEquals(Map.of("hb1", 1, "hb2", 1, "hb3", 2), spread(end, "web"));

        // Six replicas by spread are 2-1 in zone a and 3 in zone b: hosts of different zones are not compared.
        ServiceDemand six = ServiceDemand.of("web", 6).withSpread("zone");
        List<Assignment> placed = Scheduler.plan(List.of(six), zones, List.of()).assignments();
        assertEquals(Map.of("hb1", 2, "hb2", 1, "hb3", 3), spread(placed, "web"));
        assertTrue(Moves.balanced(List.of(six), zones, placed, Set.of()));

        // Within a zone, hosts are evened.
        List<Assignment> lopsided = List.of(new Assignment("web", 1, "hb1"), new Assignment("web", 2, "hb1"),
                new Assignment("web", 3, "hb1"), new Assignment("web", 4, "hb3"), new Assignment("web", 5, "hb3"),
                new Assignment("web", 6, "hb3"));
        assertEquals(Optional.of(new Handover("web", 3, "hb1", "hb2")),
                Moves.next(List.of(six), zones, lopsided, List.of(), Set.of(), true));
    }

    @Test
    void rebalanceIgnoresCordonedHostsFailoverFalseAndMovesThatFiltersForbid() {
        ServiceDemand web = ServiceDemand.of("web", 2);
        List<Assignment> both = List.of(new Assignment("web", 1, "hb1"), new Assignment("web", 2, "hb1"));
        // hb2 is cordoned and hb3 down: nowhere to even out to.
        List<Candidate> hosts = List.of(host("hb1"), cordoned("hb2"),
                new Candidate("hb3", Map.of(), false, new Capacity(4000, 8 * GIB), true));
        assertTrue(Moves.balanced(List.of(web), hosts, both, Set.of()));

        // Data on its host: rebalance leaves it.
        ServiceDemand db = ServiceDemand.of("web", 2).withFailover(false);
        assertTrue(Moves.balanced(List.of(db), THREE, both, Set.of()));

        // Uneven, but the empty hosts lack the memory.
        ServiceDemand big = ServiceDemand.of("web", 2).withReservation(new Reservation(0, 3 * GIB));
        List<Candidate> small = List.of(host("hb1"), new Candidate("hb2", Map.of(), false, new Capacity(4000, GIB)));
        assertTrue(Moves.balanced(List.of(big), small, both, Set.of()));
        assertFalse(Moves.balanced(List.of(big), THREE, both, Set.of()));
    }

    @Test
    void drainComesBeforeRebalance() {
        ServiceDemand api = ServiceDemand.of("api", 2);
        ServiceDemand web = ServiceDemand.of("web", 1);
        // api is uneven (2-0-0) and comes first by name, but web's replica on the draining host moves first.
        List<Assignment> start = List.of(new Assignment("api", 1, "hb2"), new Assignment("api", 2, "hb2"),
                new Assignment("web", 1, "hb1"));
        List<Candidate> hosts = List.of(cordoned("hb1"), host("hb2"), host("hb3"));

        Optional<Handover> move = Moves.next(List.of(api, web), hosts, start, List.of(), Set.of("hb1"), true);

        assertEquals(Optional.of(new Handover("web", 1, "hb1", "hb3")), move);
    }
}
