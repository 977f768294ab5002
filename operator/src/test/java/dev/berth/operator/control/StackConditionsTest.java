package dev.berth.operator.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ServiceCount;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StackConditionsTest {
    private static final Map<String, ServiceCount> ALL_UP = Map.of("httpd", new ServiceCount(1, 1));
    private static final Map<String, ServiceCount> NONE_UP = Map.of("httpd", new ServiceCount(0, 1));

    private static String status(ObjectStatus s, String type) {
        return s.condition(type).orElseThrow().status();
    }

    @Test
    void convergedStackIsReadyAndNotProgressing() {
        ObjectStatus s = StackConditions.build("h1", Optional.empty(),
                new StackConditions.Pass(7, ALL_UP, false, Optional.empty()), "2026-01-01T00:00:00Z");
        assertEquals("True", status(s, Condition.READY));
        assertEquals("False", status(s, Condition.PROGRESSING));
        assertEquals("False", status(s, Condition.DEGRADED));
        assertEquals(7, s.observedRevision());
        assertEquals("2026-01-01T00:00:00Z", s.since());
    }

    @Test
    void transitionTimeMovesOnlyWhenStatusMoves() {
        ObjectStatus first = StackConditions.build("h1", Optional.empty(),
                new StackConditions.Pass(1, NONE_UP, true, Optional.empty()), "T1");
        ObjectStatus same = StackConditions.build("h1", Optional.of(first),
                new StackConditions.Pass(1, NONE_UP, true, Optional.empty()), "T2");
        assertEquals(first, same, "an unchanged pass gives an identical status: nothing to write");
        ObjectStatus ready = StackConditions.build("h1", Optional.of(same),
                new StackConditions.Pass(1, ALL_UP, false, Optional.empty()), "T3");
        assertEquals("T3", ready.condition(Condition.READY).orElseThrow().lastTransitionTime());
        assertEquals("T1", ready.condition(Condition.DEGRADED).orElseThrow().lastTransitionTime());
        assertEquals("T1", ready.since());
    }

    @Test
    void failureIsDegradedWithReasonAndItsLastErrorGoesOnceRecovered() {
        ObjectStatus failed = StackConditions.build("h1", Optional.empty(), new StackConditions.Pass(3, NONE_UP, false,
                Optional.of(new StackConditions.Failure("ImageNotFound", "no such image: x:1"))), "T1");
        Condition degraded = failed.condition(Condition.DEGRADED).orElseThrow();
        assertEquals("True", degraded.status());
        assertEquals("ImageNotFound", degraded.reason());
        assertEquals("False", status(failed, Condition.READY));
        assertEquals("ImageNotFound: no such image: x:1", failed.lastError());
        ObjectStatus recovered = StackConditions.build("h1", Optional.of(failed),
                new StackConditions.Pass(3, ALL_UP, false, Optional.empty()), "T2");
        assertEquals("False", status(recovered, Condition.DEGRADED));
        assertNull(recovered.lastError(), "a recovered stack shows no error (issue 20, defect 9a)");
    }

    @Test
    void invalidSpecIsNotReadyEvenWithContainersRunning() {
        ObjectStatus s = StackConditions.build("h1", Optional.empty(), new StackConditions.Pass(9, ALL_UP, false,
                Optional.of(new StackConditions.Failure("InvalidSpec", "key:3:5: spec: bad"))), "T1");
        assertEquals("False", status(s, Condition.READY));
        assertEquals("InvalidSpec", s.condition(Condition.DEGRADED).orElseThrow().reason());
        assertEquals("False", status(s, Condition.PROGRESSING));
    }

    @Test
    void aPullInProgressIsTheProgressingReasonAndGoesBackToConvergedAfterwards() {
        ObjectStatus pulling = StackConditions.build("h1", Optional.empty(), new StackConditions.Pass(4, NONE_UP, true,
                Optional.empty(), java.util.List.of(), false,
                Optional.of(new StackConditions.Progress("Pulling", "web: pulling reg:5000/app:1"))), "T1");
        Condition progressing = pulling.condition(Condition.PROGRESSING).orElseThrow();
        assertEquals("True", progressing.status());
        assertEquals("Pulling", progressing.reason());
        assertEquals("web: pulling reg:5000/app:1", progressing.message());
        assertEquals("False", status(pulling, Condition.DEGRADED));

        ObjectStatus done = StackConditions.build("h1", Optional.of(pulling),
                new StackConditions.Pass(4, ALL_UP, false, Optional.empty()), "T2");
        assertEquals("Converged", done.condition(Condition.PROGRESSING).orElseThrow().reason());
    }

    @Test
    void aDeadContainerDockerCannotRemoveIsNamedWhileItsReplicaRunsUnderAStandIn() {
        String note = "container s-httpd-1 cannot be removed by Docker, retried every 15 s (its replica runs under"
                + " another name): device or resource busy";
        ObjectStatus s = StackConditions.build("h1", Optional.empty(), new StackConditions.Pass(4, ALL_UP, false,
                Optional.empty(), java.util.List.of(), false, Optional.empty(), java.util.List.of(note)), "T1");
        assertEquals("True", status(s, Condition.READY), "every replica runs");
        assertEquals("httpd 1/1; " + note, s.condition(Condition.READY).orElseThrow().message());
        assertEquals("False", status(s, Condition.DEGRADED), "nothing Berth can retry its way out of is failing");
    }
}
