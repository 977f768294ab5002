package dev.berth.operator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.crds.Kinds;
import dev.berth.crds.ObjectKey;
import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.operator.TestClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** berth_objects and berth_objects_degraded_longest_seconds follow statuses as they are written, changed and deleted. */
class ObjectMetricsTest {
    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ObjectMetrics metrics = new ObjectMetrics(registry, Kinds.standard().all(), new TestClock(NOW));

    private static ObjectStatus status(String ready, String degraded, String degradedSince) {
        return new ObjectStatus("h1", 1, List.of(new Condition(Condition.READY, ready, "r", "", NOW.toString()),
                new Condition(Condition.DEGRADED, degraded, "d", "", degradedSince)), null, null, null);
    }

    private double objects(String kind, String condition, String status) {
        return registry.get("berth.objects").tag("kind", kind).tag("condition", condition).tag("status", status)
                .gauge().value();
    }

    private double longest(String kind) {
        return registry.get("berth.objects.degraded.longest").tag("kind", kind).gauge().value();
    }

    @Test
    void countsFollowWritesChangesAndDeletes() {
        metrics.status(ObjectKey.stack("a"), status("True", "False", NOW.toString()));
        metrics.status(ObjectKey.stack("b"), status("True", "False", NOW.toString()));
        metrics.status(ObjectKey.network("n"), status("False", "True", NOW.minusSeconds(30).toString()));
        assertEquals(2, objects("stack", "Ready", "True"));
        assertEquals(0, objects("stack", "Degraded", "True"));
        assertEquals(1, objects("network", "Degraded", "True"));

        metrics.status(ObjectKey.stack("b"), status("False", "True", NOW.minusSeconds(90).toString()));
        metrics.status(ObjectKey.stack("a"), status("True", "False", NOW.toString()));
        assertEquals(1, objects("stack", "Ready", "True"));
        assertEquals(1, objects("stack", "Ready", "False"));
        assertEquals(1, objects("stack", "Degraded", "True"));
        assertEquals(90, longest("stack"));
        assertEquals(30, longest("network"));

        metrics.status(ObjectKey.stack("b"), null);
        metrics.status(ObjectKey.stack("gone"), null);
        assertEquals(0, objects("stack", "Ready", "False"));
        assertEquals(0, objects("stack", "Degraded", "True"));
        assertEquals(0, longest("stack"));
        assertEquals(1, objects("stack", "Ready", "True"));
    }

    @Test
    void aDegradedTimeThatDoesNotParseCountsAsZeroSeconds() {
        metrics.status(ObjectKey.stack("a"), status("False", "True", "not a time"));
        assertEquals(1, objects("stack", "Degraded", "True"));
        assertEquals(0, longest("stack"));
    }
}
