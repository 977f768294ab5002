package dev.berth.operator.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The oracles themselves: a bad key or a bad document must be caught, or the route tests prove nothing. */
class TraefikFormatsTest {
    @Test
    void shapesAcceptTraefiksKeysAndRefuseOthers() {
        assertEquals(List.of(), TraefikFormats.keysWithoutShape("t", List.of("t/http/routers/berth-a/rule",
                "t/http/routers/berth-a/entryPoints/11", "t/http/services/berth-a/loadBalancer/servers/03/url",
                "t/http/middlewares/berth-a_h/headers/customRequestHeaders/X-Env")));
        assertEquals(List.of("t/http/routers/berth-a/rules", "t/http/routers/a@b/rule", "t/http/routers/berth-a/tls"),
                TraefikFormats.keysWithoutShape("t", List.of("t/http/routers/berth-a/rules", "t/http/routers/a@b/rule",
                        "t/http/routers/berth-a/tls")));
    }

    @Test
    void schemaRefusesABadDocument() {
        assertEquals(List.of(), TraefikFormats.schemaErrors(TraefikFormats.toFileProvider("t", Map.of(
                "t/http/routers/r/rule", "Host(`a`)", "t/http/routers/r/service", "s",
                "t/http/services/s/loadBalancer/servers/0/url", "http://127.0.0.1:1"))));
        assertFalse(TraefikFormats.schemaErrors(TraefikFormats.toFileProvider("t", Map.of(
                "t/http/routers/r/rule", "Host(`a`)", "t/http/routers/r/priority", "high"))).isEmpty());
    }

    @Test
    void listsAreReadInStringOrderOfTheirIndex() {
        Map<String, Object> doc = TraefikFormats.toFileProvider("t", Map.of("t/http/routers/r/entryPoints/2", "two",
                "t/http/routers/r/entryPoints/10", "ten"));
        @SuppressWarnings("unchecked")
        Map<String, Object> router = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) doc.get("http"))
                .get("routers")).get("r");
        assertEquals(List.of("ten", "two"), router.get("entryPoints"));
    }
}
