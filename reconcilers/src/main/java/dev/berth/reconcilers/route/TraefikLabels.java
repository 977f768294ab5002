package dev.berth.reconcilers.route;

import dev.berth.crds.route.RouteMiddleware;
import dev.berth.crds.route.RouteSpec;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Pure: the {@code traefik.*} labels of labels-mode Routes for Traefik's Docker provider, on the target
 * service's containers: enable, router (rule, entry points, priority, TLS, middlewares), the service's container
 * port, inline middlewares, and {@code traefik.docker.network} when the container is on several networks.
 */
public final class TraefikLabels {
    private TraefikLabels() {
    }

    public static SortedMap<String, String> build(String route, RouteSpec spec, String stack, StackSpec stackSpec) {
        SortedMap<String, String> l = new TreeMap<>();
        String r = "traefik.http.routers." + TraefikNames.router(route) + ".";
        String s = "traefik.http.services." + TraefikNames.service(route) + ".loadbalancer.";
        l.put("traefik.enable", "true");
        l.put(r + "rule", spec.effectiveRule());
        l.put(r + "service", TraefikNames.service(route));
        if (!spec.entryPoints().isEmpty()) {
            l.put(r + "entrypoints", String.join(",", spec.entryPoints()));
        }
        if (spec.priority() != null) {
            l.put(r + "priority", spec.priority().toString());
        }
        if (!spec.middlewares().isEmpty()) {
            l.put(r + "middlewares", String.join(",", spec.middlewares().stream()
                    .map(m -> m.isReference() ? m.ref() : TraefikNames.middleware(route, m.name())).toList()));
        }
        if (spec.tlsEnabled()) {
            l.put(r + "tls", "true");
            if (spec.tls().certResolver() != null) {
                l.put(r + "tls.certresolver", spec.tls().certResolver());
            }
            for (int i = 0; i < spec.tls().domains().size(); i++) {
                RouteSpec.RouteTls.Domain d = spec.tls().domains().get(i);
                l.put(r + "tls.domains[" + i + "].main", d.main());
                if (!d.sans().isEmpty()) {
                    l.put(r + "tls.domains[" + i + "].sans", String.join(",", d.sans()));
                }
            }
        }
        l.put(s + "server.port", spec.target().port().toString());
        if (spec.healthCheck() != null) {
            l.put(s + "healthcheck.path", spec.healthCheck().path());
            l.put(s + "healthcheck.interval", spec.healthCheck().interval());
            l.put(s + "healthcheck.timeout", spec.healthCheck().timeout());
        }
        for (RouteMiddleware m : spec.middlewares()) {
            if (m.isReference()) {
                continue;
            }
            String p = "traefik.http.middlewares." + TraefikNames.middleware(route, m.name()) + ".";
            if (m.redirectToHttps() != null) {
                l.put(p + "redirectscheme.scheme", "https");
                l.put(p + "redirectscheme.permanent", m.redirectToHttps().permanent().toString());
                if (m.redirectToHttps().port() != null) {
                    l.put(p + "redirectscheme.port", m.redirectToHttps().port().toString());
                }
            } else if (m.stripPrefix() != null) {
                l.put(p + "stripprefix.prefixes", String.join(",", m.stripPrefix().prefixes()));
            } else if (m.basicAuth() != null) {
                l.put(p + "basicauth.users", String.join(",", m.basicAuth().users()));
                if (m.basicAuth().realm() != null) {
                    l.put(p + "basicauth.realm", m.basicAuth().realm());
                }
            } else if (m.rateLimit() != null) {
                l.put(p + "ratelimit.average", m.rateLimit().average().toString());
                if (m.rateLimit().burst() != null) {
                    l.put(p + "ratelimit.burst", m.rateLimit().burst().toString());
                }
                if (m.rateLimit().period() != null) {
                    l.put(p + "ratelimit.period", m.rateLimit().period());
                }
            } else if (m.headers() != null) {
                m.headers().request().forEach((k, v) -> l.put(p + "headers.customrequestheaders." + k, v));
                m.headers().response().forEach((k, v) -> l.put(p + "headers.customresponseheaders." + k, v));
            } else if (m.compress() != null) {
                l.put(p + "compress.minresponsebodybytes", m.compress().minResponseBodyBytes().toString());
            }
        }
        ServiceSpec service = stackSpec.services().stream().filter(x -> x.name().equals(spec.target().service()))
                .findFirst().orElse(null);
        if (service != null && service.networks().size() > 1) {
            String network = spec.target().network() != null ? spec.target().network() : service.networks().get(0);
            l.put("traefik.docker.network", RouteTargets.dockerNetwork(stack, stackSpec, network));
        }
        return l;
    }

    /** The labels of every labels-mode route that targets (stack, service), merged; routes in name order. */
    public static Map<String, String> forService(String stack, StackSpec stackSpec, String service,
                                                 Map<String, RouteSpec> routes) {
        SortedMap<String, String> all = new TreeMap<>();
        new TreeMap<>(routes).forEach((name, spec) -> {
            if (RouteSpec.LABELS.equals(spec.mode()) && spec.target().stack().equals(stack)
                    && spec.target().service().equals(service)
                    && RouteTargets.check(name, spec, java.util.Optional.of(stackSpec)).isEmpty()) {
                all.putAll(build(name, spec, stack, stackSpec));
            }
        });
        return all;
    }

}
