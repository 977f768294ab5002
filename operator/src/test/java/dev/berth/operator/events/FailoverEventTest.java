package dev.berth.operator.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import dev.berth.operator.control.HostRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Scheduled and Failover from the scheduler leader: a second host, written here as a record on a lease the test
 * keeps alive (no operator runs there), gets a replica; when its lease goes, the replica moves to the real host.
 */
class FailoverEventTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void aReplicaPlacedOnAHostThatGoesDownIsScheduledThenFailover() throws Exception {
        try (TestOperator h = TestOperator.builder().failoverAfter(Duration.ofSeconds(2)).build()) {
            h.start();
            String other = h.name("gone");
            long lease = h.etcd.client.getLeaseClient().grant(5).get(10, TimeUnit.SECONDS).getID();
            var alive = h.etcd.kv.keepAlive(lease, () -> { }, why -> { });
            try {
                String now = Instant.now().toString();
                h.etcd.kv.put(h.keys().host(other), new ObjectMapper().writeValueAsString(new HostRecord(other, Map.of(),
                        "test", now, null, HostRecord.vtepMacFor(other), List.of(), now, 4000L, 8L << 30)), lease);
                String s = h.name("fo");
                h.apply(StackYaml.stack(s).onHosts(List.of(h.host, other)).replicas(2).yaml());
                Await.until(WAIT, "a replica Scheduled on " + other, () -> EventsSeen.first(h, s, "Scheduled")
                        .map(e -> e.message().contains("->" + other)).orElse(false), () -> EventsSeen.describe(h, s));
                Event scheduled = EventsSeen.first(h, s, "Scheduled").orElseThrow();
                assertEquals("scheduler", scheduled.source());
                assertEquals(h.host, scheduled.host(), "recorded by the leader, the only operator");
            } finally {
                alive.close();
            }
            h.etcd.client.getLeaseClient().revoke(lease).get(10, TimeUnit.SECONDS);
            String s = h.name("fo");
            Await.until(WAIT, "Failover", () -> EventsSeen.first(h, s, "Failover").isPresent(),
                    () -> EventsSeen.describe(h, s));
            Event failover = EventsSeen.first(h, s, "Failover").orElseThrow();
            assertEquals(Event.WARNING, failover.type());
            assertTrue(failover.message().contains("1 replica(s) moved off down host(s) " + other), failover.message());
            h.awaitRunning(s, 2);
        }
    }
}
