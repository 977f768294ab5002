package dev.berth.operator.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Container;
import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Labels stay bounded as objects grow; drift corrections, Docker and etcd calls and object conditions are counted. */
class MetricCardinalityTest {

    private static TreeSet<String> berthSeries(String scrape) {
        return scrape.lines().filter(l -> l.startsWith("berth_"))
                .map(l -> l.substring(0, l.lastIndexOf(' ')))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void seriesCountDoesNotGrowWithStacksAndDriftIsCountedByKind() throws Exception {
        try (TestOperator op = TestOperator.create().start()) {
            List<String> stacks = List.of("a", "b", "c", "d", "e", "f").stream().map(op::name).toList();
            for (String s : stacks.subList(0, 2)) {
                op.apply(StackYaml.stack(s).yaml());
            }
            stacks.subList(0, 2).forEach(s -> op.awaitReady(s, 1));
            TreeSet<String> withTwo = berthSeries(op.scrape());
            assertEquals(2.0, op.metric("berth_objects", "kind=\"stack\"", "condition=\"Ready\"", "status=\"True\""));

            for (String s : stacks.subList(2, 6)) {
                op.apply(StackYaml.stack(s).yaml());
            }
            stacks.forEach(s -> op.awaitReady(s, 1));
            Await.until(Duration.ofSeconds(30), "berth_objects to count 6 Ready stacks",
                    () -> op.metric("berth_objects", "kind=\"stack\"", "condition=\"Ready\"", "status=\"True\"") == 6.0);
            String scrape = op.scrape();
            TreeSet<String> withSix = berthSeries(scrape);
            assertEquals(withTwo, withSix, "the berth_* series (names and labels) must be the same with 2 and 6 stacks");
            assertFalse(scrape.contains(op.instance), "no label may carry an object's or container's name");
            assertTrue(op.metric("berth_docker_requests_total", "operation=\"create_container\"", "outcome=\"success\"") >= 6);
            assertTrue(op.metric("berth_docker_request_duration_seconds_count", "operation=\"start_container\"") >= 6);
            assertTrue(op.metric("berth_etcd_requests_total", "operation=\"put\"", "outcome=\"success\"") >= 6,
                    "status writes are etcd puts");
            assertTrue(op.metric("berth_etcd_requests_total", "operation=\"lease_grant\"", "outcome=\"success\"") >= 1,
                    "the host record's lease");

            // Drift: a converged stack's container removed by hand is "missing"; one stopped by hand is "stopped".
            // A rollout (new spec) is not drift.
            // A list that lands between the forced remove's "die" and "destroy" shows a dead container: then the
            // correction is counted as "stopped" (a dead container removed), which is as true; either way it is one.
            double removedBefore = op.metric("berth_drift_corrections_total", "drift=\"missing\"")
                    + op.metric("berth_drift_corrections_total", "drift=\"stopped\"");
            Container first = op.containers(stacks.get(0)).get(0);
            op.docker.removeContainerCmd(first.getId()).withForce(true).exec();
            Await.until(Duration.ofSeconds(60), "the removed container counted as missing (or dead) drift",
                    () -> op.metric("berth_drift_corrections_total", "controller=\"stack\"", "drift=\"missing\"")
                            + op.metric("berth_drift_corrections_total", "controller=\"stack\"", "drift=\"stopped\"")
                            >= removedBefore + 1, op::scrape);
            op.awaitReady(stacks.get(0), 1);

            double stoppedBefore = op.metric("berth_drift_corrections_total", "drift=\"stopped\"");
            Container second = op.containers(stacks.get(1)).get(0);
            op.docker.stopContainerCmd(second.getId()).withTimeout(2).exec();
            Await.until(Duration.ofSeconds(60), "the stopped container counted as stopped drift",
                    () -> op.metric("berth_drift_corrections_total", "controller=\"stack\"", "drift=\"stopped\"")
                            >= stoppedBefore + 1, op::scrape);
            op.awaitReady(stacks.get(1), 1);
            assertEquals(withTwo, berthSeries(op.scrape()), "drift adds no series either");
        }
    }
}
