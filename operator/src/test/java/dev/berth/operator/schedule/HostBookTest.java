package dev.berth.operator.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.operator.schedule.HostBook.FailoverClock;
import dev.berth.operator.schedule.HostBook.State;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How long a host without a record keeps its replicas: Unknown (the overlay reaches it) against not reached (pure). */
class HostBookTest {
    private static final FailoverClock CLOCK = new FailoverClock(Duration.ofSeconds(30), Duration.ofMinutes(5));

    @Test
    void aHostNotReachedFailsOverAfterFailoverAfter() {
        assertEquals(State.UNREACHABLE, CLOCK.state(false, Duration.ZERO));
        assertEquals(State.UNREACHABLE, CLOCK.state(false, Duration.ofSeconds(29)));
        assertEquals(Duration.ofSeconds(1), CLOCK.untilDown(false, Duration.ofSeconds(29)));
        assertEquals(State.DOWN, CLOCK.state(false, Duration.ofSeconds(30)));
        assertEquals(Duration.ZERO, CLOCK.untilDown(false, Duration.ofSeconds(31)));
    }

    @Test
    void anUnknownHostWaitsFailoverAfterUnknownFromTheSameDownSince() {
        assertEquals(State.UNKNOWN, CLOCK.state(true, Duration.ZERO));
        assertEquals(State.UNKNOWN, CLOCK.state(true, Duration.ofSeconds(31)), "well past --failover-after");
        assertEquals(Duration.ofSeconds(269), CLOCK.untilDown(true, Duration.ofSeconds(31)));
        assertEquals(State.UNKNOWN, CLOCK.state(true, Duration.ofSeconds(299)));
        assertEquals(State.DOWN, CLOCK.state(true, Duration.ofMinutes(5)), "still answering, but its operator is gone for good");
    }

    @Test
    void anUnknownHostThatStopsAnsweringFailsOverOnceFailoverAfterHasPassedSinceItsRecordWent() {
        Duration recordGone = Duration.ofSeconds(100);
        assertEquals(State.UNKNOWN, CLOCK.state(true, recordGone));
        assertEquals(State.DOWN, CLOCK.state(false, recordGone), "not another 30 s from when the probes failed");
        Duration soon = Duration.ofSeconds(10);
        assertEquals(State.UNREACHABLE, CLOCK.state(false, soon), "turned unreachable early: the 30 s still hold");
        assertEquals(Duration.ofSeconds(20), CLOCK.untilDown(false, soon));
    }

    @Test
    void anUnknownHostNeverFailsOverSoonerThanOneNotReached() {
        FailoverClock odd = new FailoverClock(Duration.ofSeconds(30), Duration.ofSeconds(10));
        assertEquals(State.UNKNOWN, odd.state(true, Duration.ofSeconds(20)));
        assertEquals(State.DOWN, odd.state(true, Duration.ofSeconds(30)));
    }
}
