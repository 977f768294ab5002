package dev.berth.operator.waiting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ServiceCount;
import dev.berth.operator.StackYaml;
import dev.berth.operator.control.StackConditions;
import dev.berth.reconcilers.schedule.Assignment;
import dev.berth.reconcilers.schedule.Handover;
import dev.berth.reconcilers.schedule.StackAssignment;
import dev.berth.reconcilers.schedule.Unschedulable;
import dev.berth.reconcilers.stack.HostInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The wait's decision on hand-built snapshots (pure, no etcd). Statuses are built by the operators' own builder. */
class StackReadinessTest {
    private static final long REV = 20;
    private static final Map<String, HostInfo> HOSTS = Map.of("hb1", new HostInfo("hb1", Map.of("role", "web")),
            "hb2", new HostInfo("hb2", Map.of()));

    private static StackSpec spec(StackYaml yaml) {
        return new ManifestParser(Kinds.standard()).parse("t.yaml", yaml.yaml()).resources().get(0).spec(StackSpec.class);
    }

    /** web with 2 replicas, one on each host. */
    private static final StackSpec WEB2 = spec(StackYaml.stack("s").replicas(2));
    private static final StackAssignment SPREAD = assignment(List.of(new Assignment("web", 1, "hb1"),
            new Assignment("web", 2, "hb2")));

    private static StackAssignment assignment(List<Assignment> assigned) {
        return new StackAssignment("s", REV, assigned, List.of(), List.of(), List.of(), "t");
    }

    private static ObjectStatus ok(String host, long revision, int running, int desired) {
        return StackConditions.build(host, Optional.empty(), new StackConditions.Pass(revision,
                Map.of("web", new ServiceCount(running, desired)), false, Optional.empty()), "t");
    }

    private static ObjectStatus failed(String host, long revision, String reason) {
        return StackConditions.build(host, Optional.empty(), new StackConditions.Pass(revision,
                Map.of("web", new ServiceCount(0, 1)), true, Optional.of(new StackConditions.Failure(reason,
                        "no such image: x:1"))), "t");
    }

    private static Verdict decide(StackSpec spec, Optional<StackAssignment> assignment, ObjectStatus... statuses) {
        return decide(spec, HOSTS, assignment, statuses);
    }

    private static Verdict decide(StackSpec spec, Map<String, HostInfo> hosts, Optional<StackAssignment> assignment,
                                  ObjectStatus... statuses) {
        Map<String, ObjectStatus> byHost = new HashMap<>();
        for (ObjectStatus s : statuses) {
            byHost.put(s.host(), s);
        }
        return StackReadiness.decide(new StackSnapshot("s", Optional.of(new StackSnapshot.Desired(REV, Optional.of(spec), null)),
                byHost, hosts, assignment));
    }

    @Test
    void readyWhenEveryAssignedHostReportsTheCurrentRevisionReady() {
        Verdict v = decide(WEB2, Optional.of(SPREAD), ok("hb1", REV, 1, 1), ok("hb2", REV + 3, 1, 1));
        assertEquals(Verdict.State.READY, v.state(), v.toString());
        assertEquals(List.of(new Verdict.Row("hb1", "web", 1, 1, ""), new Verdict.Row("hb2", "web", 1, 1, "")), v.rows());
    }

    @Test
    void aReadyStatusOfAnOlderRevisionNeverCounts() {
        Verdict v = decide(WEB2, Optional.of(SPREAD), ok("hb1", REV, 1, 1), ok("hb2", REV - 1, 1, 1));
        assertEquals(Verdict.State.WAITING, v.state());
        assertEquals("hb2: at revision 19 of 20", v.reason());
    }

    @Test
    void degradedForTheCurrentRevisionFailsWithItsReason() {
        Verdict v = decide(WEB2, Optional.of(SPREAD), ok("hb1", REV, 1, 1), failed("hb2", REV, "ImageNotFound"));
        assertEquals(Verdict.State.FAILED, v.state());
        assertEquals("ImageNotFound", v.reason());
        assertEquals("no such image: x:1 (on hb2)", v.message());
    }

    @Test
    void degradedOfAnOlderRevisionIsWaitedOut() {
        Verdict v = decide(WEB2, Optional.of(SPREAD), ok("hb1", REV, 1, 1), failed("hb2", REV - 1, "RolloutFailed"));
        assertEquals(Verdict.State.WAITING, v.state());
        assertEquals("hb2: at revision 19 of 20", v.reason());
    }

    @Test
    void progressingIsNotReadyYet() {
        ObjectStatus progressing = StackConditions.build("hb2", Optional.empty(), new StackConditions.Pass(REV,
                Map.of("web", new ServiceCount(1, 1)), false, Optional.empty(), List.of(), false,
                Optional.of(new StackConditions.Progress("Pulling", "web: pulling x:2"))), "t");
        Verdict v = decide(WEB2, Optional.of(SPREAD), ok("hb1", REV, 1, 1), progressing);
        assertEquals(Verdict.State.WAITING, v.state());
        assertEquals("hb2: Pulling: web: pulling x:2", v.reason());
        assertEquals(new Verdict.Row("hb2", "web", 1, 1, "Pulling: web: pulling x:2"), v.rows().get(1));
    }

    @Test
    void aHostThatShouldRunItAndHasNotReportedIsWaitedFor() {
        Verdict v = decide(WEB2, Optional.of(SPREAD), ok("hb1", REV, 1, 1));
        assertEquals("hb2: not reported yet", v.reason());
        assertEquals(new Verdict.Row("hb2", "web", 0, 1, "not reported yet"), v.rows().get(1));
    }

    @Test
    void withoutAnAssignmentTheStackWaitsForTheScheduler() {
        Verdict v = decide(WEB2, Optional.empty());
        assertEquals(Verdict.State.WAITING, v.state());
        assertTrue(v.reason().startsWith("Scheduling"), v.reason());
        assertEquals(new Verdict.Row("-", "web", 0, 2, "Scheduling"), v.rows().get(0));
    }

    @Test
    void anAssignmentOfFewerReplicasThanTheSpecIsNotTheNewDecisionYet() {
        // Scaled from 1 to 2: the host already reports the new revision Ready with the old assignment's one replica.
        StackAssignment old = assignment(List.of(new Assignment("web", 1, "hb1")));
        Verdict v = decide(WEB2, Optional.of(old), ok("hb1", REV, 1, 1));
        assertEquals("Scheduling: the scheduler has placed 1 of 2 replicas of web", v.reason());
    }

    @Test
    void aHostPlanningFromAnotherAssignmentIsWaitedFor() {
        StackAssignment both = assignment(List.of(new Assignment("web", 1, "hb1"), new Assignment("web", 2, "hb1")));
        Verdict v = decide(WEB2, Optional.of(both), ok("hb1", REV, 1, 1));
        assertEquals("hb1: runs 1 of web where 2 are assigned", v.reason());
    }

    @Test
    void replicasOnAHostThatIsGoneOrUnschedulableOrMovingAreWaitedFor() {
        StackAssignment gone = assignment(List.of(new Assignment("web", 1, "hb1"), new Assignment("web", 2, "hb3")));
        assertEquals("s-web-2 is assigned to hb3, which is not alive",
                decide(WEB2, Optional.of(gone), ok("hb1", REV, 1, 1)).reason());
        StackAssignment unschedulable = new StackAssignment("s", REV, List.of(new Assignment("web", 1, "hb1")),
                List.of(), List.of(new Unschedulable("web", 2, Map.of("hb2", "cordoned"))), List.of(), "t");
        Verdict u = decide(WEB2, Optional.of(unschedulable), ok("hb1", REV, 1, 1));
        assertEquals("s-web-2: Unschedulable: hb2: cordoned", u.reason());
        StackAssignment moving = new StackAssignment("s", REV, SPREAD.assignments(),
                List.of(new Handover("web", 2, "hb1", "hb2", "t")), List.of(), List.of(), "t");
        assertEquals("moving s-web-2 from hb1 to hb2",
                decide(WEB2, Optional.of(moving), ok("hb1", REV, 2, 2), ok("hb2", REV, 1, 1)).reason());
    }

    @Test
    void aLiveHostStillRemovingItsContainersIsWaitedFor() {
        StackAssignment onHb1 = assignment(List.of(new Assignment("web", 1, "hb1")));
        StackSpec one = spec(StackYaml.stack("s"));
        Verdict v = decide(one, Optional.of(onHb1), ok("hb1", REV, 1, 1), ok("hb2", REV - 5, 1, 1));
        assertEquals("hb2: removing what it ran of the stack", v.reason());
        assertEquals(Verdict.State.READY, decide(one, Optional.of(onHb1), ok("hb1", REV, 1, 1)).state());
    }

    @Test
    void degradedOnALiveHostThatIsOnlyCleaningUpIsWaitedForNotAFailure() {
        StackAssignment onHb1 = assignment(List.of(new Assignment("web", 1, "hb1")));
        StackSpec one = spec(StackYaml.stack("s"));
        Verdict v = decide(one, Optional.of(onHb1), ok("hb1", REV, 1, 1), failed("hb2", REV, "RolloutFailed"));
        assertEquals(Verdict.State.WAITING, v.state(), v.toString());
        assertEquals("hb2: removing what it ran of the stack", v.reason());
    }

    @Test
    void statusOfAHostThatIsNotAliveCountsForNothing() {
        StackAssignment onHb1 = assignment(List.of(new Assignment("web", 1, "hb1")));
        Verdict v = decide(spec(StackYaml.stack("s")), Optional.of(onHb1), ok("hb1", REV, 1, 1),
                failed("hb3", REV, "PortInUse"));
        assertEquals(Verdict.State.READY, v.state(), v.toString());
    }

    @Test
    void globalStacksWaitForEveryHostTheirPlacementSelects() {
        StackSpec global = spec(StackYaml.stack("s").global().placement("{hostSelector: {role: web}}").replicas(2));
        assertEquals("hb1: not reported yet", decide(global, Optional.empty()).reason());
        Verdict v = decide(global, Optional.empty(), ok("hb1", REV, 2, 2));
        assertEquals(Verdict.State.READY, v.state(), v.toString());
        assertEquals(List.of(new Verdict.Row("hb1", "web", 2, 2, "")), v.rows());
        assertEquals("no live host is selected by the stack's placement",
                decide(global, Map.of("hb2", HOSTS.get("hb2")), Optional.empty()).reason());
    }

    @Test
    void aDeletedStackIsGoneAndAnInvalidOneFailed() {
        assertEquals(Verdict.State.GONE, StackReadiness.decide(new StackSnapshot("s", Optional.empty(), Map.of(), HOSTS,
                Optional.empty())).state());
        Verdict invalid = StackReadiness.decide(new StackSnapshot("s", Optional.of(new StackSnapshot.Desired(REV,
                Optional.empty(), "/v1/stack/s:3:5: bad")), Map.of(), HOSTS, Optional.empty()));
        assertEquals(Verdict.State.FAILED, invalid.state());
        assertEquals("InvalidSpec", invalid.reason());
        assertEquals("/v1/stack/s:3:5: bad", invalid.message());
    }
}
