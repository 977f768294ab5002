package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import dev.berth.operator.control.LeaderElection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A replicated stack the scheduler has not placed yet costs a host that runs nothing of it no status row (every host
 * wrote "Scheduling" and most deleted it once placed: two etcd writes per host per stack, issue 21). The user still
 * reads Scheduling from {@code berth get stacks -o wide}, which takes it from the missing assignment.
 */
class SchedulingRowsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aHostWithNothingOfAnUnplacedStackWritesNoRowAndTheCliStillSaysScheduling() throws Exception {
        try (TestOperator h = TestOperator.create()) {
            // Another candidate holds the scheduler's election, so nothing places the stack until it steps down.
            AtomicBoolean otherLeads = new AtomicBoolean();
            LeaderElection other = new LeaderElection(h.etcd.kv, h.keys().base() + "elections/scheduler",
                    "another-host", 10, otherLeads::set, new SimpleMeterRegistry());
            try {
                other.start();
                Await.until(WAIT, "the other candidate leads the scheduler's election", otherLeads::get);
                h.start();
                String s = h.name("unplaced");
                h.apply(StackYaml.stack(s).yaml());
                // The only stack: its first pass that ends as done is the one that would have written the row.
                Await.until(WAIT, "a finished pass over " + s,
                        () -> h.metric("berth_reconcile_total", "controller=\"stack\"", "result=\"success\"") > 0);
                CliRun get = h.cli("get", "stacks", s, "-o", "wide");
                assertTrue(get.out().contains("Pending") && get.out().contains("Scheduling: waiting for the scheduler"),
                        get.out());
                assertTrue(h.status(s).isEmpty(), "this host runs nothing of the stack and wrote no row while it waits"
                        + " for the scheduler: " + h.describeStatus(s));
                assertTrue(h.containers(s).isEmpty());
                CliRun wait = h.cli("wait", "stack", s, "--for", "condition=Ready", "--timeout", "2s");
                assertTrue(wait.exit() != 0 && (wait.out() + wait.err()).contains("Scheduling"), wait.out() + wait.err());

                other.close();
                h.awaitReady(s, 1);
            } finally {
                other.close();
            }
        }
    }
}
