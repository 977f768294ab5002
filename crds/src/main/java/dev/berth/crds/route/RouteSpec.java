package dev.berth.crds.route;

import java.util.List;

/**
 * What a person declares for a Route: a rule (hosts and path prefixes, or a raw Traefik rule), entry points,
 * TLS, middlewares, the target stack service and port, an optional load-balancer health check and priority.
 */
public record RouteSpec(String mode, List<String> hosts, List<String> pathPrefixes, String rule, List<String> entryPoints,
                        Integer priority, RouteTls tls, List<RouteMiddleware> middlewares, RouteTarget target,
                        RouteHealthCheck healthCheck) {
    public static final String KV = "kv";
    public static final String LABELS = "labels";

    public RouteSpec {
        mode = mode == null ? KV : mode;
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
        pathPrefixes = pathPrefixes == null ? List.of() : List.copyOf(pathPrefixes);
        entryPoints = entryPoints == null ? List.of() : List.copyOf(entryPoints);
        middlewares = middlewares == null ? List.of() : List.copyOf(middlewares);
    }

    /** The Traefik v3 rule: the raw rule, or (Host(`a`) || Host(`b`)) && (PathPrefix(`/x`) || ...). */
    public String effectiveRule() {
        if (rule != null) {
            return rule;
        }
        String h = any("Host", hosts);
        String p = any("PathPrefix", pathPrefixes);
        if (h.isEmpty()) {
            return p;
        }
        return p.isEmpty() ? h : and(h, hosts.size()) + " && " + and(p, pathPrefixes.size());
    }

    private static String and(String part, int size) {
        return size > 1 ? "(" + part + ")" : part;
    }

    private static String any(String matcher, List<String> values) {
        return String.join(" || ", values.stream().map(v -> matcher + "(`" + v + "`)").toList());
    }

    public boolean tlsEnabled() {
        return tls != null && tls.enabled();
    }

    /** TLS on the router. */
    public record RouteTls(Boolean enabled, String certResolver, List<Domain> domains) {
        public RouteTls {
            enabled = enabled == null || enabled;
            domains = domains == null ? List.of() : List.copyOf(domains);
        }

        public record Domain(String main, List<String> sans) {
            public Domain {
                sans = sans == null ? List.of() : List.copyOf(sans);
            }
        }
    }

    /** The stack service (and container port) that serves the route; network names a Berth overlay Network. */
    public record RouteTarget(String stack, String service, Integer port, String network) {
    }

    /** Traefik's load-balancer health check. */
    public record RouteHealthCheck(String path, String interval, String timeout) {
    }
}
