package dev.berth.operator.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.TestOperator;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A status row left by an operator killed between removing a deleted stack's last container and deleting the row:
 * nothing names the stack any more (no object, no container), so only the operator's start can find it. The kill
 * loop met one: "NOT converged", the row still saying Ready for a stack that was gone.
 */
class LeftoverStatusRowsTest {
    @Test
    void aStatusRowOfAStackThatIsGoneIsDeletedWhenTheOperatorStarts() throws Exception {
        try (TestOperator h = TestOperator.create()) {
            String gone = h.name("gone");
            String mine = h.keys().status("stack", gone, h.host);
            String other = h.keys().status("stack", gone, "another-host");
            String row = "{\"host\":\"%s\",\"observedRevision\":1,\"conditions\":[]}";
            h.etcd.kv.put(mine, row.formatted(h.host));
            h.etcd.kv.put(other, row.formatted("another-host"));

            h.start();
            Await.until(Duration.ofSeconds(60), "this host's row of the deleted stack removed",
                    () -> h.etcd.kv.get(mine).isEmpty());
            // Each host deletes its own row only.
            assertTrue(h.etcd.kv.get(other).isPresent(), "another host's row is that host's to delete");
            assertEquals(0, h.containers(gone).size());
        }
    }
}
