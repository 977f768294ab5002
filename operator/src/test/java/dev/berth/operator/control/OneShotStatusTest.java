package dev.berth.operator.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.ObjectKey;
import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ReplicaStatus;
import dev.berth.crds.status.ServiceCount;
import dev.berth.operator.store.StatusCodec;
import dev.berth.reconcilers.docker.ContainerRun;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.labels.BerthLabels;
import dev.berth.reconcilers.stack.ApplyReport;
import dev.berth.reconcilers.stack.FinishedReplica;
import dev.berth.reconcilers.stack.ObservedStack;
import dev.berth.reconcilers.stack.StackOutcome;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How a one-shot replica that exited shows in a host's status: completed is ready, a non-zero exit a failure. */
class OneShotStatusTest {
    private static StackOutcome finished(FinishedReplica... replicas) {
        return new StackOutcome(List.of(), new ApplyReport(List.of(), Optional.empty(), List.of()), Map.of(),
                List.of(replicas));
    }

    @Test
    void aCompletedReplicaIsReadyAndSaysSo() {
        ObjectStatus s = StackConditions.build("h1", Optional.empty(), new StackConditions.Pass(4,
                Map.of("init", new ServiceCount(0, 1, 1), "web", new ServiceCount(1, 1)), false,
                OneShotFailure.of(finished(new FinishedReplica("s-init-1", "init", 0)))), "T1");
        assertTrue(s.ready(), s.toString());
        assertEquals("init 0/1 (1 completed, exit 0), web 1/1", s.condition(Condition.READY).orElseThrow().message());
        assertEquals("False", s.condition(Condition.DEGRADED).orElseThrow().status());
    }

    @Test
    void aHostWithACompletedReplicaDoesNotSayAllRunning() {
        // A restart "no" server stopped by a reboot (exit 0 on SIGTERM) looks completed: ready, but not "AllRunning".
        ObjectStatus s = StackConditions.build("h1", Optional.empty(), new StackConditions.Pass(4,
                Map.of("web", new ServiceCount(0, 1, 1)), false, Optional.empty()), "T1");
        assertTrue(s.ready(), s.toString());
        assertEquals(StackConditions.COMPLETED, s.condition(Condition.READY).orElseThrow().reason());
        assertEquals("web 0/1 (1 completed, exit 0)", s.condition(Condition.READY).orElseThrow().message());
        ObjectStatus running = StackConditions.build("h1", Optional.empty(), new StackConditions.Pass(4,
                Map.of("web", new ServiceCount(1, 1)), false, Optional.empty()), "T1");
        assertEquals("AllRunning", running.condition(Condition.READY).orElseThrow().reason());
    }

    @Test
    void aReplicaThatExitedNonZeroIsAFailureNothingRetries() {
        Optional<StackConditions.Failure> failure = OneShotFailure.of(finished(
                new FinishedReplica("s-init-1", "init", 3), new FinishedReplica("s-init-2", "init", 1)));
        assertEquals("ContainerFailed", failure.orElseThrow().reason());
        assertTrue(failure.get().message().startsWith("s-init-1 exited with code 3 (and 1 more)"), failure.get().message());
        ObjectStatus s = StackConditions.build("h1", Optional.empty(), new StackConditions.Pass(4,
                Map.of("init", new ServiceCount(0, 2)), false, failure), "T1");
        assertEquals("True", s.condition(Condition.DEGRADED).orElseThrow().status());
        assertEquals("ContainerFailed", s.condition(Condition.DEGRADED).orElseThrow().reason());
        assertEquals("False", s.condition(Condition.PROGRESSING).orElseThrow().status(), "nothing is retried");
        assertFalse(s.ready());
        assertEquals(Optional.empty(), OneShotFailure.of(finished(new FinishedReplica("s-init-1", "init", null))),
                "an exit code not read yet is no failure yet");
    }

    @Test
    void rowsSayHowAOneShotEnded() {
        Map<String, String> labels = Map.of(BerthLabels.OWNER, "stack/s", BerthLabels.SERVICE, "init",
                BerthLabels.REPLICA, "1");
        ObservedStack seen = new ObservedStack(List.of(new ObservedContainer("c1", "s-init-1", labels, "exited", null)
                .withRun(new ContainerRun(0, "T", 3))), List.of());
        List<ReplicaStatus> rows = ReplicaRows.of(ObjectKey.stack("s"), seen,
                finished(new FinishedReplica("s-init-1", "init", 3)));
        assertEquals("failed: exit code 3", rows.get(0).reason());
        assertEquals(3, rows.get(0).exitCode());
        assertEquals("completed", ReplicaRows.of(ObjectKey.stack("s"), seen,
                finished(new FinishedReplica("s-init-1", "init", 0))).get(0).reason());
    }

    @Test
    void completedIsWrittenOnlyWhenThereIsOneAndOldStatusReadsAsZero() {
        StatusCodec codec = new StatusCodec();
        ObjectStatus s = StackConditions.build("h1", Optional.empty(), new StackConditions.Pass(4,
                Map.of("init", new ServiceCount(0, 1, 1), "web", new ServiceCount(1, 1)), false, Optional.empty()), "T1");
        String json = codec.write(s);
        assertTrue(json.contains("\"init\":{\"running\":0,\"desired\":1,\"completed\":1}"), json);
        assertTrue(json.contains("\"web\":{\"running\":1,\"desired\":1}"), json);
        assertEquals(s, codec.read(codec.write(s)).orElseThrow());
    }
}
