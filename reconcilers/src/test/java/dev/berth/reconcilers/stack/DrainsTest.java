package dev.berth.reconcilers.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A drain begins at the first pass that asks for it and is measured across passes, not slept through. */
class DrainsTest {
    /** A clock the test moves by hand (pure code, so a fake clock is fine). */
    private static final class HandClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static final StackAction.RetireContainer OLD =
            new StackAction.RetireContainer("id-old", "s-web-1", 5000, "s-web-1-next");

    @Test
    void aDrainIsMeasuredFromTheFirstPassThatAskedForIt() {
        HandClock clock = new HandClock();
        Drains drains = new Drains(clock);
        assertEquals(Duration.ofSeconds(5), drains.left("s", OLD));
        clock.now = clock.now.plusSeconds(2);
        assertEquals(Duration.ofSeconds(3), drains.left("s", OLD));
        clock.now = clock.now.plusSeconds(4);
        assertEquals(Duration.ZERO, drains.left("s", OLD));
    }

    @Test
    void aDrainThePlanNoLongerAsksForIsForgottenAndWouldBeginAgain() {
        HandClock clock = new HandClock();
        Drains drains = new Drains(clock);
        drains.left("s", OLD);
        clock.now = clock.now.plusSeconds(4);
        drains.keepOnly("s", Set.of("id-old"));
        assertEquals(Duration.ofSeconds(1), drains.left("s", OLD));
        drains.keepOnly("s", Set.of());
        assertEquals(Duration.ofSeconds(5), drains.left("s", OLD), "forgotten (rolled back, retired or gone)");
    }
}
