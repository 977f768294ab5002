package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A stack another host runs has no status row of this host to remove: its first pass here reads the key instead of
 * deleting it (a delete is a write etcd commits to disk; applying 1,000 stacks made 1,000 of them, issue 21's scheduler
 * figure). A row this host left before is still removed.
 */
class StatusDeletesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    @RegisterExtension
    final TestOperator h = TestOperator.create();

    @Test
    void aStackRunElsewhereCostsNoDeleteAndALeftRowIsRemoved() {
        String elsewhere = h.name("elsewhere");
        double deletes = deletes();
        double passes = stackPasses();
        h.apply(StackYaml.stack(elsewhere).global().onHosts(List.of("another-host")).yaml());
        Await.until(WAIT, "a pass over " + elsewhere, () -> stackPasses() > passes);
        assertEquals(deletes, deletes(), "etcd deletes for a stack with no status row here");

        String left = h.name("left");
        String row = h.keys().status("stack", left, h.host);
        h.etcd.kv.put(row, "{\"conditions\": []}");
        h.apply(StackYaml.stack(left).global().onHosts(List.of("another-host")).yaml());
        Await.until(WAIT, "the status row this host left for " + left + " removed", () -> h.etcd.kv.get(row).isEmpty());
    }

    private double deletes() {
        return h.metric("berth_etcd_requests_total", "operation=\"delete\"");
    }

    private double stackPasses() {
        return h.metric("berth_reconcile_total", "controller=\"stack\"");
    }
}
