package dev.berth.reconcilers.route;

import dev.berth.crds.route.RouteMiddleware;
import dev.berth.crds.route.RouteSpec;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Pure: the Traefik KV keys (under {@code root}, e.g. {@code traefik}) for one Route and its server URLs. Every
 * key has a shape of Traefik's kv-ref (routers, services/loadBalancer, middlewares); lists use zero-padded
 * indices ({@link TraefikNames#index}). The result is sorted by key.
 */
public final class TraefikKeys {
    private TraefikKeys() {
    }

    public static SortedMap<String, String> build(String root, String route, RouteSpec spec, List<String> urls) {
        SortedMap<String, String> keys = new TreeMap<>();
        String router = root + "/http/routers/" + TraefikNames.router(route) + "/";
        keys.put(router + "rule", spec.effectiveRule());
        keys.put(router + "service", TraefikNames.service(route));
        if (spec.priority() != null) {
            keys.put(router + "priority", spec.priority().toString());
        }
        list(keys, router + "entryPoints/", spec.entryPoints());
        list(keys, router + "middlewares/", spec.middlewares().stream()
                .map(m -> m.isReference() ? m.ref() : TraefikNames.middleware(route, m.name())).toList());
        if (spec.tlsEnabled()) {
            RouteSpec.RouteTls tls = spec.tls();
            if (tls.certResolver() != null) {
                keys.put(router + "tls/certResolver", tls.certResolver());
            }
            for (int i = 0; i < tls.domains().size(); i++) {
                String d = router + "tls/domains/" + TraefikNames.index(i, tls.domains().size()) + "/";
                keys.put(d + "main", tls.domains().get(i).main());
                list(keys, d + "sans/", tls.domains().get(i).sans());
            }
            if (tls.certResolver() == null && tls.domains().isEmpty()) {
                // TLS with Traefik's default certificate: a key must exist for the router's tls section to exist.
                keys.put(router + "tls/options", "default");
            }
        }
        String lb = root + "/http/services/" + TraefikNames.service(route) + "/loadBalancer/";
        keys.put(lb + "passHostHeader", "true");
        for (int i = 0; i < urls.size(); i++) {
            keys.put(lb + "servers/" + TraefikNames.index(i, urls.size()) + "/url", urls.get(i));
        }
        if (spec.healthCheck() != null) {
            keys.put(lb + "healthCheck/path", spec.healthCheck().path());
            keys.put(lb + "healthCheck/interval", spec.healthCheck().interval());
            keys.put(lb + "healthCheck/timeout", spec.healthCheck().timeout());
        }
        for (RouteMiddleware m : spec.middlewares()) {
            if (!m.isReference()) {
                middleware(keys, root + "/http/middlewares/" + TraefikNames.middleware(route, m.name()) + "/", m);
            }
        }
        return keys;
    }

    private static void middleware(Map<String, String> keys, String p, RouteMiddleware m) {
        if (m.redirectToHttps() != null) {
            keys.put(p + "redirectScheme/scheme", "https");
            keys.put(p + "redirectScheme/permanent", m.redirectToHttps().permanent().toString());
            if (m.redirectToHttps().port() != null) {
                keys.put(p + "redirectScheme/port", m.redirectToHttps().port().toString());
            }
        } else if (m.stripPrefix() != null) {
            list(keys, p + "stripPrefix/prefixes/", m.stripPrefix().prefixes());
        } else if (m.basicAuth() != null) {
            list(keys, p + "basicAuth/users/", m.basicAuth().users());
            if (m.basicAuth().realm() != null) {
                keys.put(p + "basicAuth/realm", m.basicAuth().realm());
            }
            if (m.basicAuth().removeHeader() != null) {
                keys.put(p + "basicAuth/removeHeader", m.basicAuth().removeHeader().toString());
            }
        } else if (m.rateLimit() != null) {
            keys.put(p + "rateLimit/average", m.rateLimit().average().toString());
            if (m.rateLimit().burst() != null) {
                keys.put(p + "rateLimit/burst", m.rateLimit().burst().toString());
            }
            if (m.rateLimit().period() != null) {
                keys.put(p + "rateLimit/period", m.rateLimit().period());
            }
        } else if (m.headers() != null) {
            m.headers().request().forEach((k, v) -> keys.put(p + "headers/customRequestHeaders/" + k, v));
            m.headers().response().forEach((k, v) -> keys.put(p + "headers/customResponseHeaders/" + k, v));
            if (m.headers().request().isEmpty() && m.headers().response().isEmpty()) {
                keys.put(p + "headers/customRequestHeaders/X-Berth-Route", p.replaceAll(".*/middlewares/([^/]+)/", "$1"));
            }
        } else if (m.compress() != null) {
            keys.put(p + "compress/minResponseBodyBytes", m.compress().minResponseBodyBytes().toString());
        }
    }

    private static void list(Map<String, String> keys, String prefix, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            keys.put(prefix + TraefikNames.index(i, values.size()), values.get(i));
        }
    }
}
