package dev.berth.reconcilers.stack;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.stack.Placement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementRuleTest {
    private final HostInfo h1 = new HostInfo("h1", Map.of("zone", "a", "disk", "ssd"));

    @Test
    void emptyPlacementMeansEveryHost() {
        assertTrue(PlacementRule.placedHere(null, h1));
        assertTrue(PlacementRule.placedHere(new Placement(null, null), h1));
    }

    @Test
    void listedHost() {
        assertTrue(PlacementRule.placedHere(new Placement(List.of("h0", "h1"), null), h1));
        assertFalse(PlacementRule.placedHere(new Placement(List.of("h2"), null), h1));
    }

    @Test
    void selectorMustMatchEveryEntry() {
        assertTrue(PlacementRule.placedHere(new Placement(null, Map.of("zone", "a")), h1));
        assertTrue(PlacementRule.placedHere(new Placement(null, Map.of("zone", "a", "disk", "ssd")), h1));
        assertFalse(PlacementRule.placedHere(new Placement(null, Map.of("zone", "a", "disk", "hdd")), h1));
        assertFalse(PlacementRule.placedHere(new Placement(null, Map.of("gpu", "yes")), h1));
    }

    @Test
    void listOrSelector() {
        assertTrue(PlacementRule.placedHere(new Placement(List.of("h2"), Map.of("zone", "a")), h1));
        assertFalse(PlacementRule.placedHere(new Placement(List.of("h2"), Map.of("zone", "b")), h1));
    }
}
