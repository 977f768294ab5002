package dev.berth.reconcilers.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.route.RouteSpec;
import dev.berth.crds.stack.PortSpec;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The pure parts of routes: key building, index padding, target resolution. */
class TraefikKeysTest {
    private static RouteSpec spec(List<String> entryPoints, RouteSpec.RouteTarget target) {
        return new RouteSpec(null, List.of("a.example"), List.of(), null, entryPoints, null, null, List.of(), target, null);
    }

    private static final RouteSpec.RouteTarget TARGET = new RouteSpec.RouteTarget("web", "httpd", 8080, null);

    @Test
    void indicesArePaddedSoStringOrderIsNumericOrder() {
        assertEquals("0", TraefikNames.index(0, 10));
        assertEquals("09", TraefikNames.index(9, 11));
        assertEquals("10", TraefikNames.index(10, 11));
        assertEquals("007", TraefikNames.index(7, 101));
        List<String> urls = IntStream.range(0, 12).mapToObj(i -> "http://10.0.0." + i + ":80").toList();
        List<String> eps = IntStream.range(0, 12).mapToObj(i -> "ep" + i).toList();
        var keys = TraefikKeys.build("traefik", "r", spec(eps, TARGET), urls);
        // The map is sorted by key (string order): values come out in the declared order.
        assertEquals(eps, keys.entrySet().stream().filter(e -> e.getKey().contains("/entryPoints/")).map(Map.Entry::getValue).toList());
        assertEquals(urls, keys.entrySet().stream().filter(e -> e.getKey().endsWith("/url")).map(Map.Entry::getValue).toList());
        assertTrue(keys.containsKey("traefik/http/services/berth-r/loadBalancer/servers/11/url"));
        assertEquals("Host(`a.example`)", keys.get("traefik/http/routers/berth-r/rule"));
        assertEquals("berth-r", keys.get("traefik/http/routers/berth-r/service"));
    }

    @Test
    void targetsResolveOnLiveHostsOnlyAndHealthyOnly() {
        StackSpec stack = new StackSpec(null, List.of(new ServiceSpec("httpd", "img", null, null, null, null,
                List.of(new PortSpec(8080, 18080, null, null)), null, null, null, null, null, null, null, null, null, null, null, 1)), null);
        PublishedContainer.Port port = new PublishedContainer.Port(8080, 18080, "");
        Map<String, List<PublishedContainer>> byHost = Map.of(
                "h1", List.of(new PublishedContainer("web-httpd-1", "httpd", "running", null, "192.0.2.1", List.of(port), Map.of())),
                "h2", List.of(new PublishedContainer("web-httpd-1", "httpd", "running", "unhealthy", "192.0.2.2", List.of(port), Map.of())),
                "gone", List.of(new PublishedContainer("web-httpd-1", "httpd", "running", null, "192.0.2.3", List.of(port), Map.of())));
        var r = RouteTargets.resolve("r", spec(List.of(), TARGET), Optional.of(stack), byHost, Set.of("h1", "h2"));
        assertEquals(List.of("http://192.0.2.1:18080"), r.urls());
        assertEquals(1, r.ready());
        assertEquals(2, r.total());
        assertEquals("TargetNotFound", RouteTargets.resolve("r", spec(List.of(), TARGET), Optional.empty(), byHost, Set.of()).reason());
        assertEquals("PortNotExposed", RouteTargets.resolve("r", spec(List.of(), new RouteSpec.RouteTarget("web", "httpd", 9090, null)),
                Optional.of(stack), byHost, Set.of()).reason());
        var labels = TraefikLabels.build("r", spec(new ArrayList<>(List.of("web")), TARGET), "web", stack);
        assertEquals("8080", labels.get("traefik.http.services.berth-r.loadbalancer.server.port"));
        assertEquals("true", labels.get("traefik.enable"));
    }
}
