package dev.berth.reconcilers.desired;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.route.RouteSpec;
import dev.berth.crds.stack.Placement;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.reconcilers.stack.HostInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a host should run of a stack: placement, plus the labels of labels-mode Routes to its services. */
class DesiredHereTest {
    private static final HostInfo HERE = new HostInfo("h1", Map.of("role", "web"));

    private static StackSpec stack(Placement placement) {
        return new StackSpec(placement, List.of(new ServiceSpec("web", "img", null, null, null, Map.of("own", "label"),
                null, null, null, null, null, null, null, null, null, null, null, null, 1, null, null)), null);
    }

    private static RouteSpec route(String mode, String stack) {
        return new RouteSpec(mode, List.of("a.example"), List.of(), null, List.of(), null, null, List.of(),
                new RouteSpec.RouteTarget(stack, "web", 8080, null), null);
    }

    @Test
    void aStackPlacedElsewhereIsNotWantedHere() {
        assertEquals(Optional.empty(), DesiredHere.stack("s", Optional.of(stack(new Placement(List.of("h2"), null))),
                HERE, Map.of()));
        assertEquals(Optional.empty(), DesiredHere.stack("s", Optional.empty(), HERE, Map.of()));
        assertTrue(DesiredHere.stack("s", Optional.of(stack(new Placement(null, Map.of("role", "web")))), HERE, Map.of())
                .isPresent());
    }

    @Test
    void labelsModeRoutesToTheStackAddTheirLabelsAndNothingElseDoes() {
        Map<String, RouteSpec> routes = Map.of("site", route(RouteSpec.LABELS, "s"), "kv", route(RouteSpec.KV, "s"),
                "other", route(RouteSpec.LABELS, "t"));
        Map<String, String> labels = DesiredHere.stack("s", Optional.of(stack(null)), HERE, routes).orElseThrow()
                .services().get(0).labels();
        assertEquals("true", labels.get("traefik.enable"));
        assertEquals("Host(`a.example`)", labels.get("traefik.http.routers.berth-site.rule"));
        assertFalse(labels.keySet().stream().anyMatch(k -> k.contains("berth-kv") || k.contains("berth-other")), labels.toString());
        assertEquals("label", labels.get("own"));
        assertEquals(stack(null), DesiredHere.stack("s", Optional.of(stack(null)), HERE, Map.of()).orElseThrow());
    }
}
