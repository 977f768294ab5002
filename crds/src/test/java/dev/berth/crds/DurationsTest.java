package dev.berth.crds;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DurationsTest {
    @Test
    void goStyleDurations() {
        assertEquals(Duration.ofSeconds(10), Durations.parse("10s"));
        assertEquals(Duration.ofSeconds(90), Durations.parse("1m30s"));
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("1.5h"));
        assertEquals(Duration.ofNanos(1_500), Durations.parse("1us500ns"));
        assertEquals(Duration.ofNanos(2_000), Durations.parse("2µs"));
        assertEquals(Duration.ofHours(2).plusMinutes(3).plusSeconds(4).plusMillis(5), Durations.parse("2h3m4s5ms"));
        assertEquals(Duration.ZERO, Durations.parse("0"));
        assertEquals(Duration.ZERO, Durations.parse("0s"));
    }

    @Test
    void rejectsWhatIsNotADuration() {
        for (String bad : new String[] {"", "10", "5 seconds", "-1s", "1d", "s", "1m 30s", "1.s"}) {
            assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(null));
    }
}
