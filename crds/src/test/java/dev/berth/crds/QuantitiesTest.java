package dev.berth.crds;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantitiesTest {
    @Test
    void dockerStyleBinaryMultiples() {
        assertEquals(1024, Quantities.parseBytes("1024"));
        assertEquals(2048, Quantities.parseBytes("2k"));
        assertEquals(256L * 1024 * 1024, Quantities.parseBytes("256m"));
        assertEquals(256L * 1024 * 1024, Quantities.parseBytes("256M"));
        assertEquals(1L << 30, Quantities.parseBytes("1g"));
        assertEquals(1L << 40, Quantities.parseBytes("1t"));
        assertEquals(512L * 1024 * 1024, Quantities.parseBytes("512Mi"));
        assertEquals(3L << 30, Quantities.parseBytes("3Gi"));
        assertEquals(64L * 1024 * 1024, Quantities.parseBytes("64mb"));
        assertEquals(64L * 1024 * 1024, Quantities.parseBytes("64MiB"));
        assertEquals(100, Quantities.parseBytes("100b"));
        assertEquals(1536, Quantities.parseBytes("1.5k"));
    }

    @Test
    void rejectsWhatIsNotAQuantity() {
        for (String bad : new String[] {"", "lots", "-1m", "1x", "1i", "m", "1 g b", "1e3"}) {
            assertThrows(IllegalArgumentException.class, () -> Quantities.parseBytes(bad), bad);
            assertFalse(Quantities.isQuantity(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Quantities.parseBytes("100000000000p"));
        assertThrows(IllegalArgumentException.class, () -> Quantities.parseBytes(null));
        assertTrue(Quantities.isQuantity("16m"));
    }
}
