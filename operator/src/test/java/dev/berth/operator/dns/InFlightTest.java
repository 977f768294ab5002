package dev.berth.operator.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class InFlightTest {
    @Test
    void aSourceGetsAtMostItsSlotsAndOthersAreNotAffected() throws Exception {
        InFlight inFlight = new InFlight(2);
        InetAddress busy = InetAddress.getByName("10.0.0.1");
        InetAddress other = InetAddress.getByName("10.0.0.2");
        assertTrue(inFlight.tryTake(busy));
        assertTrue(inFlight.tryTake(busy));
        assertFalse(inFlight.tryTake(busy), "a third forward of the same source waits for none: refused");
        assertTrue(inFlight.tryTake(other), "another source still forwards");
        inFlight.release(busy);
        assertTrue(inFlight.tryTake(busy), "a slot freed is taken again");
    }

    @Test
    void sourcesWithNothingInFlightAreForgotten() throws Exception {
        InFlight inFlight = new InFlight(4);
        InetAddress a = InetAddress.getByName("10.0.0.1");
        inFlight.tryTake(a);
        inFlight.tryTake(a);
        inFlight.release(a);
        inFlight.release(a);
        assertEquals(0, inFlight.sources());
        inFlight.release(a);
        assertEquals(0, inFlight.sources(), "a release too many leaves nothing behind");
    }
}
