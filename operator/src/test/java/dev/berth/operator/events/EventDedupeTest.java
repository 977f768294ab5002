package dev.berth.operator.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventDedupeTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    private final AtomicInteger ids = new AtomicInteger();
    private final EventDedupe dedupe = new EventDedupe(Duration.ofMinutes(10), 3);

    private EventDedupe.Slot seen(String reason, String message, Instant at) {
        return dedupe.next("stack", "web", Event.WARNING, reason, message, at, () -> "id" + ids.incrementAndGet());
    }

    @Test
    void aRepeatWithinTheWindowCountsUpOnTheSameKeyAndKeepsItsFirstTime() {
        EventDedupe.Slot first = seen("ImageNotFound", "no image x", T0);
        EventDedupe.Slot second = seen("ImageNotFound", "no image x", T0.plusSeconds(30));
        EventDedupe.Slot third = seen("ImageNotFound", "no image x", T0.plusSeconds(60));
        assertEquals(1, first.count());
        assertEquals(3, third.count());
        assertEquals(first.id(), second.id());
        assertEquals(first.id(), third.id());
        assertEquals(T0, third.first());
    }

    @Test
    void anotherMessageOrReasonIsAnotherEvent() {
        EventDedupe.Slot a = seen("ImageNotFound", "no image x", T0);
        EventDedupe.Slot b = seen("ImageNotFound", "no image y", T0);
        EventDedupe.Slot c = seen("ImagePullFailed", "no image x", T0);
        assertNotEquals(a.id(), b.id());
        assertNotEquals(a.id(), c.id());
        assertEquals(1, b.count());
    }

    @Test
    void aRepeatAfterTheWindowStartsANewEvent() {
        EventDedupe.Slot first = seen("Unhealthy", "c is unhealthy", T0);
        // The window counts from the last time it happened: 9 minutes apart stays one event...
        EventDedupe.Slot again = seen("Unhealthy", "c is unhealthy", T0.plus(Duration.ofMinutes(9)));
        assertEquals(first.id(), again.id());
        // ...11 minutes of quiet start a new one.
        EventDedupe.Slot later = seen("Unhealthy", "c is unhealthy", T0.plus(Duration.ofMinutes(20)));
        assertNotEquals(first.id(), later.id());
        assertEquals(1, later.count());
    }

    @Test
    void theMemoryIsBoundedAndForgetsTheLeastRecentlySeen() {
        EventDedupe.Slot a = seen("R", "a", T0);
        seen("R", "b", T0);
        seen("R", "c", T0);
        seen("R", "a", T0.plusSeconds(1)); // a is now the most recent
        seen("R", "d", T0.plusSeconds(2)); // b goes
        assertEquals(3, dedupe.size());
        assertEquals(a.id(), seen("R", "a", T0.plusSeconds(3)).id());
        assertEquals(1, seen("R", "b", T0.plusSeconds(4)).count(), "b was forgotten: counts from 1 again");
    }
}
