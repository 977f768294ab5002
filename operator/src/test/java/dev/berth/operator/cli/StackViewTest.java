package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ReplicaStatus;
import dev.berth.crds.status.ServiceCount;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.schedule.CordonRecord;
import dev.berth.operator.schedule.MemberRecord;
import dev.berth.reconcilers.schedule.Assignment;
import dev.berth.reconcilers.schedule.Handover;
import dev.berth.reconcilers.schedule.StackAssignment;
import dev.berth.reconcilers.schedule.Unschedulable;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The merging rules of get stacks / describe stack, on hand-built clusters (pure, no etcd). */
class StackViewTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:05:00Z");
    private static final List<StackView.Service> HTTPD3 = List.of(new StackView.Service("httpd", 3, false, true));

    private static HostRecord host(String name) {
        return new HostRecord(name, Map.of(), "test", "2026-12-01T11:00:00Z", null, null, List.of(), "2026-12-01T11:00:00Z");
    }

    /** hb1 and hb2 alive, hb3 down for 2 minutes, last seen 12:02:41Z. */
    private static Cluster cluster(Map<String, StackAssignment> assignments) {
        return new Cluster(Map.of("hb1", host("hb1"), "hb2", host("hb2")),
                Map.of("hb1", new MemberRecord("hb1", "2026-12-01T11:00:00Z", null),
                        "hb2", new MemberRecord("hb2", "2026-12-01T11:00:00Z", null),
                        "hb3", new MemberRecord("hb3", "2026-12-01T12:02:41Z", "2026-12-01T12:03:00Z")),
                Map.of(), assignments);
    }

    private static StackAssignment assignment(List<Assignment> assignments, List<Handover> handovers,
                                              List<Unschedulable> unschedulable, List<Assignment> unavailable) {
        return new StackAssignment("web", 10, assignments, handovers, unschedulable, unavailable, "2026-12-01T12:00:00Z");
    }

    private static ObjectStatus status(String host, int running, int desired, boolean ready, ReplicaStatus... replicas) {
        return new ObjectStatus(host, 10, List.of(new Condition(Condition.READY, ready ? "True" : "False", ready ? "Running" : "Starting",
                ready ? "" : "httpd starting", "2026-12-01T12:00:00Z")),
                Map.of("httpd", new ServiceCount(running, desired)), null, "2026-12-01T12:00:00Z", List.of(replicas));
    }

    private static ReplicaStatus running(int replica) {
        return new ReplicaStatus("web-httpd-" + replica, "httpd", replica, "running", "healthy", "");
    }

    private static StackView view(List<ObjectStatus> statuses, Optional<StackAssignment> assignment, Cluster cluster) {
        return new StackView("web", 10, HTTPD3, null, statuses, assignment, cluster, NOW);
    }

    @Test
    void readyCountsReplicasInTheClusterNotPerHost() {
        StackAssignment a = assignment(List.of(new Assignment("httpd", 1, "hb1"), new Assignment("httpd", 2, "hb2"),
                new Assignment("httpd", 3, "hb1")), List.of(), List.of(), List.of());
        StackView view = view(List.of(status("hb1", 2, 2, true, running(1), running(3)), status("hb2", 1, 1, true, running(2))),
                Optional.of(a), cluster(Map.of()));
        StackView.Summary s = view.summary();
        assertEquals("3/3", s.ready());
        assertEquals("Ready", s.status(), s.message());
        assertEquals("hb1,hb2", s.hosts());
        List<StackView.ReplicaRow> rows = view.replicas();
        assertEquals(List.of("web-httpd-1", "web-httpd-2", "web-httpd-3"), rows.stream().map(StackView.ReplicaRow::replica).toList());
        assertEquals("running (healthy)", rows.get(0).state());
        assertEquals("hb2", rows.get(1).host());
    }

    @Test
    void aReplicatedStackWithoutAssignmentIsPendingScheduling() {
        StackView.Summary s = view(List.of(), Optional.empty(), cluster(Map.of())).summary();
        assertEquals("Pending", s.status());
        assertTrue(s.message().startsWith("Scheduling"), s.message());
        assertEquals("0/3", s.ready());
    }

    @Test
    void aServiceTheAssignmentDoesNotCoverYetIsPendingSchedulingWhileNoHostReports() {
        // The assignment predates the service "api" (added, or scaled up from 0); hosts with nothing write no row.
        StackAssignment a = assignment(List.of(), List.of(), List.of(), List.of());
        StackView view = new StackView("web", 10, List.of(new StackView.Service("api", 2, false, true)), null, List.of(),
                Optional.of(a), cluster(Map.of()), NOW);
        StackView.Summary s = view.summary();
        assertEquals("Pending", s.status());
        assertEquals("Scheduling: waiting for the scheduler to place the replicas of api", s.message());
    }

    @Test
    void aServiceAddedToARunningStackIsProgressingSchedulingWhileOtherHostsReportReady() {
        // httpd runs on hb1 (Ready); api, pinned to a host that runs nothing of the stack, has no assignment yet.
        StackAssignment a = assignment(List.of(new Assignment("httpd", 1, "hb1")), List.of(), List.of(), List.of());
        List<StackView.Service> services = List.of(new StackView.Service("httpd", 1, false, true),
                new StackView.Service("api", 1, false, true), new StackView.Service("off", 0, false, true),
                new StackView.Service("agent", 1, true, true));
        StackView view = new StackView("web", 10, services, null, List.of(status("hb1", 1, 1, true, running(1))),
                Optional.of(a), cluster(Map.of()), NOW);
        StackView.Summary s = view.summary();
        assertEquals("Progressing", s.status(), s.message());
        assertEquals("Scheduling: waiting for the scheduler to place the replicas of api", s.message());

        StackView noNewService = new StackView("web", 10, List.of(services.get(0), services.get(2), services.get(3)), null,
                List.of(status("hb1", 1, 1, true, running(1))), Optional.of(a), cluster(Map.of()), NOW);
        assertEquals("Ready", noNewService.summary().status(), "replicas 0 and global services wait for no assignment: "
                + noNewService.summary().message());
    }

    @Test
    void unschedulableReplicasArePendingWithEveryHostsReason() {
        StackAssignment a = assignment(List.of(new Assignment("httpd", 1, "hb1"), new Assignment("httpd", 2, "hb2")), List.of(),
                List.of(new Unschedulable("httpd", 3, Map.of("hb1", "maxPerHost 1", "hb2", "cordoned"))), List.of());
        StackView view = view(List.of(status("hb1", 1, 1, true, running(1)), status("hb2", 1, 1, true, running(2))),
                Optional.of(a), cluster(Map.of()));
        StackView.Summary s = view.summary();
        assertEquals("Pending", s.status());
        assertEquals("Unschedulable: web-httpd-3: hb1: maxPerHost 1; hb2: cordoned", s.message());
        StackView.ReplicaRow pending = view.replicas().get(2);
        assertEquals(List.of("web-httpd-3", "-", "Pending", "Unschedulable: hb1: maxPerHost 1; hb2: cordoned"),
                List.of(pending.replica(), pending.host(), pending.state(), pending.reason()));
    }

    @Test
    void rowsOfAHostThatIsNotAliveAreUnknownWithWhenItWasLastSeen() {
        // hb3 died with replica 3; the scheduler has not failed it over yet (within --failover-after).
        StackAssignment a = assignment(List.of(new Assignment("httpd", 1, "hb1"), new Assignment("httpd", 2, "hb2"),
                new Assignment("httpd", 3, "hb3")), List.of(), List.of(), List.of());
        StackView view = view(List.of(status("hb1", 1, 1, true, running(1)), status("hb2", 1, 1, true, running(2)),
                status("hb3", 1, 1, true, running(3))), Optional.of(a), cluster(Map.of()));
        StackView.Summary s = view.summary();
        assertEquals("2/3", s.ready(), "the dead host's last report counts for nothing");
        assertEquals("Unknown", s.status());
        assertEquals("host hb3 down 2m, last seen 12:02:41Z", s.message());
        assertEquals("hb1,hb2,hb3(down)", s.hosts());
        StackView.ReplicaRow row = view.replicas().get(2);
        assertEquals("hb3", row.host());
        assertEquals("Unknown (host hb3 down 2m, last seen 12:02:41Z)", row.state());
        assertEquals("last reported running (healthy)", row.reason());
    }

    @Test
    void afterFailoverTheStaleRowStaysUnknownButTheStackIsReady() {
        StackAssignment a = assignment(List.of(new Assignment("httpd", 1, "hb1"), new Assignment("httpd", 2, "hb2"),
                new Assignment("httpd", 3, "hb1")), List.of(), List.of(), List.of());
        StackView view = view(List.of(status("hb1", 2, 2, true, running(1), running(3)), status("hb2", 1, 1, true, running(2)),
                status("hb3", 1, 1, true, running(3))), Optional.of(a), cluster(Map.of()));
        assertEquals("Ready", view.summary().status(), view.summary().message());
        List<StackView.ReplicaRow> threes = view.replicas().stream().filter(r -> r.replica().equals("web-httpd-3")).toList();
        assertEquals(List.of("hb1", "hb3"), threes.stream().map(StackView.ReplicaRow::host).toList());
        assertTrue(threes.get(1).state().startsWith("Unknown (host hb3 down"), threes.get(1).state());
    }

    /** A kept containerName is the replica's name in the view too, before any host reported it. */
    @Test
    void aKeptContainerNameNamesTheReplica() {
        List<StackView.Service> db = List.of(new StackView.Service("db", 1, false, false, "legacy_db"));
        Assignment kept = new Assignment("db", 1, "hb3");
        StackAssignment a = new StackAssignment("web", 10, List.of(kept), List.of(), List.of(), List.of(kept), "t");
        StackView view = new StackView("web", 10, db, null, List.of(), Optional.of(a), cluster(Map.of()), NOW);
        assertEquals("legacy_db", view.replicas().get(0).replica());
    }

    @Test
    void failoverFalseReplicasOnADownHostAreUnavailableAndTheStackDegraded() {
        List<StackView.Service> db = List.of(new StackView.Service("db", 1, false, false));
        Assignment kept = new Assignment("db", 1, "hb3");
        StackAssignment a = new StackAssignment("web", 10, List.of(kept), List.of(), List.of(), List.of(kept), "t");
        StackView view = new StackView("web", 10, db, null, List.of(), Optional.of(a), cluster(Map.of()), NOW);
        assertEquals("Degraded", view.summary().status());
        assertTrue(view.summary().message().startsWith("Unavailable: web-db-1 (failover: false) stays on host hb3 down 2m"),
                view.summary().message());
        StackView.ReplicaRow row = view.replicas().get(0);
        assertEquals(List.of("web-db-1", "hb3", "Unavailable"), List.of(row.replica(), row.host(), row.state()));
    }

    @Test
    void assignedButNotReportedAndHandoversAreShown() {
        StackAssignment a = assignment(List.of(new Assignment("httpd", 1, "hb1"), new Assignment("httpd", 2, "hb1"),
                new Assignment("httpd", 3, "hb2")), List.of(new Handover("httpd", 2, "hb2", "hb1")), List.of(), List.of());
        StackView view = view(List.of(status("hb1", 1, 2, false, running(1)), status("hb2", 2, 2, true, running(2), running(3))),
                Optional.of(a), cluster(Map.of()));
        assertEquals("Progressing", view.summary().status());
        assertEquals("moving web-httpd-2 from hb2 to hb1", view.summary().message());
        List<StackView.ReplicaRow> twos = view.replicas().stream().filter(r -> r.replica().equals("web-httpd-2")).toList();
        assertEquals("hb1", twos.get(0).host());
        assertEquals("Assigned", twos.get(0).state());
        assertEquals("taking over from hb2", twos.get(0).reason());
        assertEquals("moving to hb1: kept until it runs there", twos.get(1).reason());
    }

    @Test
    void aLiveHostsDegradedConditionWinsOverProgress() {
        ObjectStatus degraded = new ObjectStatus("hb1", 10, List.of(new Condition(Condition.DEGRADED, "True", "RolloutFailed",
                "not healthy in 30s", "t")), Map.of("httpd", new ServiceCount(3, 3)), null, "t", List.of());
        StackAssignment a = assignment(List.of(new Assignment("httpd", 1, "hb1")), List.of(), List.of(), List.of());
        StackView.Summary s = view(List.of(degraded), Optional.of(a), cluster(Map.of())).summary();
        assertEquals("Degraded", s.status());
        assertEquals("hb1: RolloutFailed: not healthy in 30s", s.message());
    }

    @Test
    void globalServicesCountWhatLiveHostsWantAndADownHostMakesThemUnknown() {
        List<StackView.Service> global = List.of(new StackView.Service("httpd", 1, true, true));
        List<ObjectStatus> rows = List.of(status("hb1", 1, 1, true), status("hb2", 1, 1, true), status("hb3", 1, 1, true));
        StackView view = new StackView("web", 10, global, null, rows, Optional.empty(), cluster(Map.of()), NOW);
        assertEquals("2/2", view.summary().ready());
        assertEquals("Unknown", view.summary().status());
        StackView allLive = new StackView("web", 10, global, null, rows.subList(0, 2), Optional.empty(), cluster(Map.of()), NOW);
        assertEquals("Ready", allLive.summary().status());
    }

    @Test
    void aHostBehindTheStacksRevisionIsProgressing() {
        StackAssignment a = assignment(List.of(new Assignment("httpd", 1, "hb1")), List.of(), List.of(), List.of());
        StackView view = new StackView("web", 12, List.of(new StackView.Service("httpd", 1, false, true)), null,
                List.of(status("hb1", 1, 1, true, running(1))), Optional.of(a), cluster(Map.of()), NOW);
        assertEquals("Progressing", view.summary().status());
        assertEquals("hb1 at revision 10 of 12", view.summary().message());
    }

    @Test
    void hostStatesAndWhatADrainWaitsFor() {
        Map<String, CordonRecord> cordons = new HashMap<>();
        cordons.put("hb1", new CordonRecord("hb1", false, "t"));
        cordons.put("hb2", new CordonRecord("hb2", true, "t"));
        StackAssignment a = assignment(List.of(new Assignment("httpd", 1, "hb1"), new Assignment("httpd", 2, "hb1")),
                List.of(new Handover("httpd", 2, "hb2", "hb1")), List.of(), List.of());
        Cluster base = cluster(Map.of("web", a));
        Cluster cluster = new Cluster(base.live(), base.members(), cordons, base.assignments());
        assertEquals("Cordoned", cluster.state("hb1"));
        assertEquals("Draining", cluster.state("hb2"));
        assertEquals(List.of("web/httpd-2"), cluster.replicasOn("hb2"));
        assertEquals("Down", cluster.state("hb3"));
        Cluster done = new Cluster(base.live(), base.members(), cordons, Map.of());
        assertEquals("Drained", done.state("hb2"));
        assertEquals(List.of("hb1", "hb2", "hb3"), List.copyOf(cluster.known()));
    }

    @Test
    void clockTimesAreShortToday() {
        assertEquals("12:02:41Z", Ages.clock("2026-12-01T12:02:41.123Z", NOW));
        assertEquals("2026-11-30 23:00:00Z", Ages.clock("2026-11-30T23:00:00Z", NOW));
        assertEquals("-", Ages.clock(null, NOW));
    }
}
