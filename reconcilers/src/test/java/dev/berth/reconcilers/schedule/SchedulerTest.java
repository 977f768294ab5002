package dev.berth.reconcilers.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.stack.Placement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SchedulerTest {
    private static final long GIB = 1024L * 1024 * 1024;

    private static Candidate host(String name) {
        return new Candidate(name, Map.of(), false, new Capacity(4000, 8 * GIB));
    }

    private static Candidate host(String name, Map<String, String> labels) {
        return new Candidate(name, labels, false, new Capacity(4000, 8 * GIB));
    }

    private static final List<Candidate> THREE = List.of(host("hb1"), host("hb2"), host("hb3"));

    /** Replicas of the service per host, hosts without any left out. */
    private static Map<String, Integer> spread(Schedule s, String service) {
        Map<String, Integer> counts = new TreeMap<>();
        s.assignmentsOf(service).forEach(a -> counts.merge(a.host(), 1, Integer::sum));
        return counts;
    }

    private static List<Integer> numbers(Schedule s, String service) {
        return s.assignmentsOf(service).stream().map(Assignment::replica).toList();
    }

    @Test
    void threeReplicasOnThreeHostsRunOneEach() {
        Schedule s = Scheduler.plan(List.of(ServiceDemand.of("web", 3)), THREE, List.of());

        assertEquals(Map.of("hb1", 1, "hb2", 1, "hb3", 1), spread(s, "web"));
        assertEquals(List.of(1, 2, 3), numbers(s, "web"));
        assertEquals(List.of(), s.unschedulable());
    }

    @Test
    void fourReplicasOnThreeHostsRunTwoOneOne() {
        Schedule s = Scheduler.plan(List.of(ServiceDemand.of("web", 4)), THREE, List.of());

        // Ties go to the host name, so the second replica on one host lands on hb1.
        assertEquals(Map.of("hb1", 2, "hb2", 1, "hb3", 1), spread(s, "web"));
        assertEquals(List.of(), s.unschedulable());
    }

    @Test
    void otherServicesCountWhenThisServiceIsEven() {
        // db's replica on hb1 makes hb1 the fullest host overall, so web's fourth replica avoids it.
        Schedule s = Scheduler.plan(List.of(ServiceDemand.of("db", 1), ServiceDemand.of("web", 4)), THREE,
                List.of());

        assertEquals(Map.of("hb1", 1), spread(s, "db"));
        assertEquals(Map.of("hb1", 1, "hb2", 2, "hb3", 1), spread(s, "web"));
    }

    @Test
    void maxPerHostOneWithFourReplicasLeavesOneUnschedulableNamingEveryHost() {
        Schedule s = Scheduler.plan(List.of(ServiceDemand.of("web", 4).withMaxPerHost(1)), THREE, List.of());

        assertEquals(Map.of("hb1", 1, "hb2", 1, "hb3", 1), spread(s, "web"));
        assertEquals(1, s.unschedulable().size());
        Unschedulable u = s.unschedulable().get(0);
        assertEquals("web", u.service());
        assertEquals(4, u.replica());
        assertEquals("hb1: already runs 1 of web (maxPerHost 1); hb2: already runs 1 of web (maxPerHost 1); "
                + "hb3: already runs 1 of web (maxPerHost 1)", u.message());
    }

    @Test
    void hostSelectorLimitsTheHosts() {
        List<Candidate> hosts = List.of(host("hb1", Map.of("disk", "ssd")), host("hb2", Map.of("disk", "hdd")),
                host("hb3", Map.of("disk", "ssd")));
        ServiceDemand db = ServiceDemand.of("db", 4).withPlacement(new Placement(null, Map.of("disk", "ssd")));

        Schedule s = Scheduler.plan(List.of(db), hosts, List.of());

        assertEquals(Map.of("hb1", 2, "hb3", 2), spread(s, "db"));
    }

    @Test
    void placementByHostNameAndNothingMatchingIsUnschedulable() {
        ServiceDemand listed = ServiceDemand.of("a", 2).withPlacement(new Placement(List.of("hb2"), null));
        ServiceDemand nowhere = ServiceDemand.of("b", 1).withPlacement(new Placement(null, Map.of("gpu", "yes")));

        Schedule s = Scheduler.plan(List.of(listed, nowhere), THREE, List.of());

        assertEquals(Map.of("hb2", 2), spread(s, "a"));
        assertEquals("hb1: not selected by placement; hb2: not selected by placement; "
                + "hb3: not selected by placement", s.unschedulable().get(0).message());
    }

    @Test
    void reservationsBeyondAHostsMemoryAreUnschedulable() {
        List<Candidate> hosts = List.of(new Candidate("hb1", Map.of(), false, new Capacity(8000, 2 * GIB)),
                new Candidate("hb2", Map.of(), false, new Capacity(8000, 5 * GIB / 2)));
        ServiceDemand big = ServiceDemand.of("big", 3).withReservation(new Reservation(0, 3 * GIB / 2));

        Schedule s = Scheduler.plan(List.of(big), hosts, List.of());

        // 1.5 GiB each: one fits on each host, the third fits nowhere.
        assertEquals(Map.of("hb1", 1, "hb2", 1), spread(s, "big"));
        assertEquals(1, s.unschedulable().size());
        assertEquals(3, s.unschedulable().get(0).replica());
        assertEquals("hb1: needs 1.5 GiB memory, 512 MiB free; hb2: needs 1.5 GiB memory, 1 GiB free",
                s.unschedulable().get(0).message());
    }

    @Test
    void cpuReservationsAndTheIssuesMessage() {
        List<Candidate> hosts = List.of(
                new Candidate("hb1", Map.of(), false, new Capacity(4000, 8 * GIB)),
                new Candidate("hb2", Map.of(), true, new Capacity(4000, 8 * GIB)),
                new Candidate("hb3", Map.of(), false, new Capacity(500, 8 * GIB)));
        ServiceDemand cpu = ServiceDemand.of("cpu", 3).withReservation(new Reservation(2000, 0));

        Schedule s = Scheduler.plan(List.of(cpu), hosts, List.of());

        assertEquals(Map.of("hb1", 2), spread(s, "cpu"));
        assertEquals("hb1: needs 2 CPUs, 0 free; hb2: cordoned; hb3: needs 2 CPUs, 0.5 free",
                s.unschedulable().get(0).message());
    }

    @Test
    void noReservationMeansNoCapacityCheckAndUnknownCapacityTakesReservations() {
        List<Candidate> hosts = List.of(new Candidate("tiny", Map.of(), false, new Capacity(0, 0)),
                new Candidate("old", Map.of(), false, null));
        ServiceDemand free = ServiceDemand.of("free", 2).withPlacement(new Placement(List.of("tiny"), null));
        ServiceDemand reserved = ServiceDemand.of("reserved", 2)
                .withReservation(new Reservation(64_000, 1024 * GIB));

        Schedule s = Scheduler.plan(List.of(free, reserved), hosts, List.of());

        assertEquals(Map.of("tiny", 2), spread(s, "free"));
        assertEquals(Map.of("old", 2), spread(s, "reserved"));
    }

    @Test
    void cordonedHostGetsNothingNewButKeepsWhatItRuns() {
        List<Candidate> hosts = List.of(host("hb1"), new Candidate("hb2", Map.of(), true, new Capacity(4000, 8 * GIB)),
                host("hb3"));
        List<Assignment> current = List.of(new Assignment("web", 1, "hb2"));

        Schedule s = Scheduler.plan(List.of(ServiceDemand.of("web", 3)), hosts, current);

        assertEquals(Map.of("hb1", 1, "hb2", 1, "hb3", 1), spread(s, "web"));
        assertTrue(s.assignmentsOf("web").contains(new Assignment("web", 1, "hb2")));

        Schedule fresh = Scheduler.plan(List.of(ServiceDemand.of("web", 4)), hosts, List.of());
        assertEquals(Map.of("hb1", 2, "hb3", 2), spread(fresh, "web"));
    }

    @Test
    void fixedHostPortRunsAtMostOnePerHost() {
        Schedule s = Scheduler.plan(List.of(ServiceDemand.of("proxy", 4).withFixedHostPort(true)), THREE,
                List.of());

        assertEquals(Map.of("hb1", 1, "hb2", 1, "hb3", 1), spread(s, "proxy"));
        assertEquals("hb1: already runs proxy, whose fixed host port binds once per host; "
                + "hb2: already runs proxy, whose fixed host port binds once per host; "
                + "hb3: already runs proxy, whose fixed host port binds once per host",
                s.unschedulable().get(0).message());
    }

    @Test
    void spreadByZoneFillsZonesEvenlyBeforeHosts() {
        // Zone a has two hosts, zone b one: by hosts alone a would get two of every three replicas.
        List<Candidate> hosts = List.of(host("hb1", Map.of("zone", "a")), host("hb2", Map.of("zone", "a")),
                host("hb3", Map.of("zone", "b")), host("hb4", Map.of()));

        Schedule s = Scheduler.plan(List.of(ServiceDemand.of("web", 4).withSpread("zone")), hosts, List.of());

        assertEquals(Map.of("hb1", 1, "hb2", 1, "hb3", 2), spread(s, "web"));
        Schedule none = Scheduler.plan(List.of(ServiceDemand.of("web", 1).withSpread("rack")), hosts, List.of());
        assertEquals("hb1: no label rack to spread by; hb2: no label rack to spread by; "
                + "hb3: no label rack to spread by; hb4: no label rack to spread by",
                none.unschedulable().get(0).message());
    }

    @Test
    void aJoiningHostMovesNothing() {
        ServiceDemand web = ServiceDemand.of("web", 4);
        Schedule before = Scheduler.plan(List.of(web), THREE, List.of());

        List<Candidate> four = new ArrayList<>(THREE);
        four.add(host("hb0"));
        Schedule after = Scheduler.plan(List.of(web), four, before.assignments());

        assertEquals(before, after);
        // It does take the next new replica: it has none yet.
        Schedule grown = Scheduler.plan(List.of(ServiceDemand.of("web", 5)), four, before.assignments());
        assertTrue(grown.assignmentsOf("web").containsAll(before.assignments()));
        assertEquals(new Assignment("web", 5, "hb0"), grown.assignmentsOf("web").get(4));
    }

    @Test
    void replicasOfAGoneHostArePlacedElsewhereWithTheirNumbers() {
        ServiceDemand web = ServiceDemand.of("web", 3);
        Schedule before = Scheduler.plan(List.of(web), THREE, List.of());
        assertEquals(new Assignment("web", 2, "hb2"), before.assignmentsOf("web").get(1));

        Schedule after = Scheduler.plan(List.of(web), List.of(host("hb1"), host("hb3")), before.assignments());

        assertEquals(List.of(new Assignment("web", 1, "hb1"), new Assignment("web", 2, "hb1"),
                new Assignment("web", 3, "hb3")), after.assignments());
    }

    @Test
    void replicasOnAHostNoLongerSelectedMove() {
        List<Assignment> current = List.of(new Assignment("db", 1, "hb1"), new Assignment("db", 2, "hb2"));
        ServiceDemand db = ServiceDemand.of("db", 2).withPlacement(new Placement(List.of("hb2", "hb3"), null));

        Schedule s = Scheduler.plan(List.of(db), THREE, current);

        assertEquals(List.of(new Assignment("db", 1, "hb3"), new Assignment("db", 2, "hb2")), s.assignments());
    }

    @Test
    void scaleDownRemovesFromTheMostLoadedHostFirst() {
        // hb1 runs two of web; hb2 and hb3 one each, with the higher numbers.
        List<Assignment> current = List.of(new Assignment("web", 1, "hb1"), new Assignment("web", 2, "hb1"),
                new Assignment("web", 3, "hb2"), new Assignment("web", 4, "hb3"));

        Schedule s = Scheduler.plan(List.of(ServiceDemand.of("web", 3)), THREE, current);

        assertEquals(List.of(new Assignment("web", 1, "hb1"), new Assignment("web", 3, "hb2"),
                new Assignment("web", 4, "hb3")), s.assignments());
        // Growing again takes the lowest free number.
        Schedule grown = Scheduler.plan(List.of(ServiceDemand.of("web", 4)), THREE, s.assignments());
        assertEquals(new Assignment("web", 2, "hb1"), grown.assignments().get(1));
    }

    @Test
    void scaleDownAmongEquallyLoadedHostsRemovesTheHighestNumbers() {
        Schedule three = Scheduler.plan(List.of(ServiceDemand.of("web", 3)), THREE, List.of());

        Schedule one = Scheduler.plan(List.of(ServiceDemand.of("web", 1)), THREE, three.assignments());

        assertEquals(List.of(new Assignment("web", 1, "hb1")), one.assignments());
    }

    @Test
    void aLostReplicaIsNotReplacedWhenTheServiceAlsoShrank() {
        List<Assignment> current = List.of(new Assignment("web", 1, "hb1"), new Assignment("web", 2, "hb2"),
                new Assignment("web", 3, "gone"));

        Schedule s = Scheduler.plan(List.of(ServiceDemand.of("web", 2)), THREE, current);

        assertEquals(List.of(new Assignment("web", 1, "hb1"), new Assignment("web", 2, "hb2")), s.assignments());
    }

    @Test
    void sameInputSameOutputWhateverTheListOrder() {
        List<ServiceDemand> demands = List.of(ServiceDemand.of("web", 5), ServiceDemand.of("api", 2).withSpread("zone"),
                ServiceDemand.of("db", 1).withReservation(new Reservation(1000, GIB)));
        List<Candidate> hosts = List.of(host("hb1", Map.of("zone", "a")), host("hb2", Map.of("zone", "b")),
                host("hb3", Map.of("zone", "a")));
        List<Assignment> current = List.of(new Assignment("web", 7, "hb2"), new Assignment("api", 1, "hb3"));
        Schedule first = Scheduler.plan(demands, hosts, current);

        List<ServiceDemand> d = new ArrayList<>(demands);
        List<Candidate> h = new ArrayList<>(hosts);
        List<Assignment> c = new ArrayList<>(current);
        Collections.reverse(d);
        Collections.reverse(h);
        Collections.reverse(c);
        assertEquals(first, Scheduler.plan(d, h, c));
        assertEquals(first, Scheduler.plan(demands, hosts, current));
    }

    @Test
    void zeroReplicasRunsNothingAndDropsWhatRan() {
        List<Assignment> current = List.of(new Assignment("web", 1, "hb1"), new Assignment("web", 2, "hb2"));

        Schedule s = Scheduler.plan(List.of(ServiceDemand.of("web", 0)), THREE, current);

        assertEquals(new Schedule(List.of(), List.of()), s);
    }

    @Test
    void handWrittenNonsenseInCurrentIsIgnored() {
        List<Assignment> current = List.of(new Assignment("web", 1, "nosuchhost"), new Assignment("web", 0, "hb1"),
                new Assignment("web", 2, "hb2"), new Assignment("web", 2, "hb3"), new Assignment("gone", 1, "hb1"));

        Schedule s = Scheduler.plan(List.of(ServiceDemand.of("web", 2)), THREE, current);

        assertEquals(List.of(new Assignment("web", 1, "hb1"), new Assignment("web", 2, "hb2")), s.assignments());
    }

    @Test
    void noLiveHostsAndBadDemands() {
        Schedule s = Scheduler.plan(List.of(ServiceDemand.of("web", 1)), List.of(), List.of());
        assertEquals("no live hosts", s.unschedulable().get(0).message());

        assertThrows(IllegalArgumentException.class, () -> ServiceDemand.of("web", -1));
        assertThrows(IllegalArgumentException.class, () -> ServiceDemand.of("web", 1).withMaxPerHost(0));
        assertThrows(IllegalArgumentException.class,
                () -> Scheduler.plan(List.of(ServiceDemand.of("web", 1), ServiceDemand.of("web", 2)), THREE,
                        List.of()));
    }

    @Test
    void keptReplicasReserveTheirHostsCapacity() {
        List<Candidate> hosts = List.of(new Candidate("hb1", Map.of(), false, new Capacity(2000, 8 * GIB)),
                new Candidate("hb2", Map.of(), false, new Capacity(2000, 8 * GIB)));
        ServiceDemand cpu = ServiceDemand.of("cpu", 3).withReservation(new Reservation(1500, 0));
        List<Assignment> current = List.of(new Assignment("cpu", 1, "hb2"));

        Schedule s = Scheduler.plan(List.of(cpu), hosts, current);

        assertEquals(List.of(new Assignment("cpu", 1, "hb2"), new Assignment("cpu", 2, "hb1")), s.assignments());
        assertEquals("hb1: needs 1.5 CPUs, 0.5 free; hb2: needs 1.5 CPUs, 0.5 free",
                s.unschedulable().get(0).message());
    }

    @Test
    void aLowerMaxPerHostMovesTheExtraReplicaAndKeepsTheRest() {
        List<Assignment> current = List.of(new Assignment("web", 1, "hb1"), new Assignment("web", 2, "hb1"),
                new Assignment("web", 3, "hb2"));

        Schedule s = Scheduler.plan(List.of(ServiceDemand.of("web", 3).withMaxPerHost(1)), THREE, current);

        assertEquals(List.of(new Assignment("web", 1, "hb1"), new Assignment("web", 2, "hb3"),
                new Assignment("web", 3, "hb2")), s.assignments());
    }

    private static Candidate down(String name) {
        return new Candidate(name, Map.of(), false, new Capacity(4000, 8 * GIB), true);
    }

    @Test
    void aDownHostsFailoverReplicasArePlacedElsewhereAndItTakesNothingNew() {
        ServiceDemand web = ServiceDemand.of("web", 3);
        Schedule before = Scheduler.plan(List.of(web), THREE, List.of());
        List<Candidate> hb2Down = List.of(host("hb1"), down("hb2"), host("hb3"));

        Schedule after = Scheduler.plan(List.of(web), hb2Down, before.assignments());

        assertEquals(List.of(new Assignment("web", 1, "hb1"), new Assignment("web", 2, "hb1"),
                new Assignment("web", 3, "hb3")), after.assignments());
        assertEquals(List.of(), after.unavailable());
        Schedule limited = Scheduler.plan(List.of(ServiceDemand.of("web", 3).withMaxPerHost(1)), hb2Down,
                before.assignments());
        assertEquals("hb1: already runs 1 of web (maxPerHost 1); hb2: down; hb3: already runs 1 of web "
                + "(maxPerHost 1)", limited.unschedulable().get(0).message());
    }

    @Test
    void aDownHostKeepsFailoverFalseReplicasAndReportsThemUnavailable() {
        ServiceDemand db = ServiceDemand.of("db", 3).withFailover(false);
        ServiceDemand web = ServiceDemand.of("web", 3);
        Schedule before = Scheduler.plan(List.of(db, web), THREE, List.of());
        assertEquals(new Assignment("db", 2, "hb2"), before.assignmentsOf("db").get(1));

        Schedule after = Scheduler.plan(List.of(db, web), List.of(host("hb1"), down("hb2"), host("hb3")),
                before.assignments());

        assertEquals(before.assignmentsOf("db"), after.assignmentsOf("db"));
        assertEquals(List.of(new Assignment("db", 2, "hb2")), after.unavailable());
        assertEquals(0, after.countOn("web", "hb2"));
        assertEquals(3, after.assignmentsOf("web").size());
        assertEquals(List.of(), after.unschedulable());

        // The host is back: the replica is simply running again, nothing moved.
        Schedule back = Scheduler.plan(List.of(db, web), THREE, after.assignments());
        assertEquals(after.assignments(), back.assignments());
        assertEquals(List.of(), back.unavailable());
    }

    @Test
    void aCordonedHostWithinTheGracePeriodKeepsFailoverReplicas() {
        // The caller passes a host unreachable for less than failover-after as cordoned, not down.
        ServiceDemand web = ServiceDemand.of("web", 3);
        Schedule before = Scheduler.plan(List.of(web), THREE, List.of());
        List<Candidate> unreachable = List.of(host("hb1"),
                new Candidate("hb2", Map.of(), true, new Capacity(4000, 8 * GIB)), host("hb3"));

        Schedule after = Scheduler.plan(List.of(web), unreachable, before.assignments());

        assertEquals(before.assignments(), after.assignments());
        assertEquals(List.of(), after.unavailable());
    }

    @Test
    void scaleDownDropsAnUnavailableReplicaFirst() {
        List<Assignment> current = List.of(new Assignment("db", 1, "hb1"), new Assignment("db", 2, "hb1"),
                new Assignment("db", 3, "hb2"));
        ServiceDemand db = ServiceDemand.of("db", 2).withFailover(false);

        Schedule s = Scheduler.plan(List.of(db), List.of(host("hb1"), down("hb2"), host("hb3")), current);

        // hb1 runs the most, but the replica on the down host runs nowhere: it goes first.
        assertEquals(List.of(new Assignment("db", 1, "hb1"), new Assignment("db", 2, "hb1")), s.assignments());
        assertEquals(List.of(), s.unavailable());
    }

    @Test
    void aFailoverFalseReplicaOnAGoneHostIsPlacedAgain() {
        // Down is the caller's word for a member that is away; a host it no longer lists at all keeps nothing.
        List<Assignment> current = List.of(new Assignment("db", 1, "hb9"));

        Schedule s = Scheduler.plan(List.of(ServiceDemand.of("db", 1).withFailover(false)), THREE, current);

        assertEquals(List.of(new Assignment("db", 1, "hb1")), s.assignments());
    }
}
