package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.crds.Durations;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a service's Traefik labels (Docker provider) into labels-mode Route documents: one per HTTP router,
 * targeting the service and the port of its load-balancer label. Middlewares defined in the same labels become inline
 * middlewares where the Route has that kind, references otherwise. Every label not carried over is a warning.
 */
final class TraefikRoutes {
    private static final Pattern ROUTER = Pattern.compile("traefik\\.http\\.routers\\.([^.]+)\\.(.+)");
    private static final Pattern SERVICE = Pattern.compile("traefik\\.http\\.services\\.([^.]+)\\.(.+)");
    private static final Pattern MIDDLEWARE = Pattern.compile("traefik\\.http\\.middlewares\\.([^.]+)\\.(.+)");
    private static final Pattern DOMAIN = Pattern.compile("tls\\.domains\\[(\\d+)]\\.(main|sans)");
    /** Host(`a`[, `b`]) [&& PathPrefix(`/p`)]: the shape that reads better as hosts and pathPrefixes. */
    private static final Pattern SIMPLE_RULE = Pattern.compile(
            "\\s*Host\\(((?:\\s*`[^`]+`\\s*,?)+)\\)\\s*(?:&&\\s*PathPrefix\\(((?:\\s*`/[^`\\s]*`\\s*,?)+)\\)\\s*)?");
    private static final Pattern QUOTED = Pattern.compile("`([^`]*)`");

    private final ImportContext context;
    private final Map<String, String> routeOwners = new LinkedHashMap<>();

    TraefikRoutes(ImportContext context) {
        this.context = context;
    }

    List<ObjectNode> routes(ServiceConverter.Converted service) {
        String prefix = Paths.child(Paths.child("services", service.composeName()), "labels");
        Map<String, Map<String, Nodes.Valued>> routers = new LinkedHashMap<>();
        Map<String, Map<String, Nodes.Valued>> services = new LinkedHashMap<>();
        Map<String, Map<String, Nodes.Valued>> middlewares = new LinkedHashMap<>();
        boolean enabled = true;
        for (Nodes.Valued label : service.traefikLabels()) {
            Matcher m;
            if (label.key().equals("traefik.enable")) {
                enabled = "true".equalsIgnoreCase(String.valueOf(label.value()));
            } else if ((m = ROUTER.matcher(label.key())).matches()) {
                routers.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>()).put(m.group(2).toLowerCase(), label);
            } else if ((m = SERVICE.matcher(label.key())).matches()) {
                services.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>()).put(m.group(2).toLowerCase(), label);
            } else if ((m = MIDDLEWARE.matcher(label.key())).matches()) {
                middlewares.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>()).put(m.group(2).toLowerCase(), label);
            } else if (label.key().equals("traefik.docker.network")) {
                drop(label, "Berth sets traefik.docker.network itself for labels-mode Routes");
            } else if (label.key().startsWith("traefik.tcp.") || label.key().startsWith("traefik.udp.")) {
                drop(label, "not supported (Routes are HTTP only)");
            } else {
                drop(label, "not supported by the Route kind");
            }
        }
        if (!enabled) {
            routers.values().forEach(r -> r.values().forEach(l -> drop(l, "traefik.enable is false")));
            services.values().forEach(r -> r.values().forEach(l -> drop(l, "traefik.enable is false")));
            middlewares.values().forEach(r -> r.values().forEach(l -> drop(l, "traefik.enable is false")));
            return List.of();
        }
        List<ObjectNode> routes = new ArrayList<>();
        var usedMiddlewares = new java.util.HashSet<String>();
        var usedServices = new java.util.HashSet<String>();
        for (var router : routers.entrySet()) {
            route(service, router.getKey(), router.getValue(), services, middlewares, usedServices, usedMiddlewares)
                    .ifPresent(routes::add);
        }
        services.forEach((name, labels) -> {
            if (!usedServices.contains(name)) {
                labels.values().forEach(l -> drop(l, "no router uses Traefik service \"" + name + "\""));
            }
        });
        middlewares.forEach((name, labels) -> {
            if (!usedMiddlewares.contains(name)) {
                labels.values().forEach(l -> drop(l, "no router uses middleware \"" + name + "\""));
            }
        });
        return routes;
    }

    private Optional<ObjectNode> route(ServiceConverter.Converted service, String router, Map<String, Nodes.Valued> props,
                                       Map<String, Map<String, Nodes.Valued>> services,
                                       Map<String, Map<String, Nodes.Valued>> middlewares,
                                       java.util.Set<String> usedServices, java.util.Set<String> usedMiddlewares) {
        Nodes.Valued rule = props.get("rule");
        Nodes.Valued anyLabel = props.values().iterator().next();
        if (rule == null || rule.value() == null || rule.value().isBlank()) {
            props.values().forEach(l -> drop(l, "router \"" + router + "\" has no rule (Traefik's default rule is not supported)"));
            return Optional.empty();
        }
        String routeName = DnsNames.of(context.stack() + "-" + router);
        String owner = routeOwners.putIfAbsent(routeName, service.composeName());
        if (owner != null) {
            context.diagnostics().error(anyLabel, anyLabel.path(),
                    "router \"" + router + "\" gives Route \"" + routeName + "\", already made for service " + owner);
            return Optional.empty();
        }
        ObjectNode spec = JsonNodeFactory.instance.objectNode();
        // The file's Traefik reads container labels (Docker provider); labels mode keeps it working unchanged.
        spec.put("mode", "labels");
        rule(rule.value(), spec);
        ObjectNode tls = JsonNodeFactory.instance.objectNode();
        ArrayNode ms = JsonNodeFactory.instance.arrayNode();
        String serviceName = null;
        Map<Integer, ObjectNode> domains = new java.util.TreeMap<>();
        for (var p : props.entrySet()) {
            Nodes.Valued label = p.getValue();
            String value = label.value() == null ? "" : label.value();
            Matcher domain = DOMAIN.matcher(p.getKey());
            switch (p.getKey()) {
                case "rule" -> {
                    // read above
                }
                case "entrypoints" -> list(value).forEach(spec.withArrayProperty("entryPoints")::add);
                case "tls" -> tls.put("enabled", Boolean.parseBoolean(value));
                case "tls.certresolver" -> tls.put("certResolver", value);
                case "middlewares" -> {
                    for (String ref : list(value)) {
                        middleware(ref, middlewares, label).ifPresent(m -> {
                            ms.add(m);
                            usedMiddlewares.add(ref.replaceAll("@docker$", ""));
                        });
                    }
                }
                case "service" -> serviceName = value.replaceAll("@docker$", "");
                case "priority" -> {
                    try {
                        spec.put("priority", Integer.parseInt(value));
                    } catch (NumberFormatException e) {
                        drop(label, "\"" + value + "\" is not a priority");
                    }
                }
                default -> {
                    if (domain.matches()) {
                        ObjectNode d = domains.computeIfAbsent(Integer.parseInt(domain.group(1)),
                                k -> JsonNodeFactory.instance.objectNode());
                        if (domain.group(2).equals("main")) {
                            d.put("main", value);
                        } else {
                            list(value).forEach(d.withArrayProperty("sans")::add);
                        }
                    } else {
                        drop(label, "not supported by the Route kind");
                    }
                }
            }
        }
        if (!domains.isEmpty()) {
            domains.values().forEach(tls.withArrayProperty("domains")::add);
        }
        if (tls.has("certResolver") || tls.has("domains")) {
            // Traefik turns TLS on for a router with a cert resolver, whatever tls says.
            tls.put("enabled", true);
        }
        if (!tls.isEmpty() && tls.path("enabled").asBoolean(true)) {
            ObjectNode ordered = JsonNodeFactory.instance.objectNode();
            ordered.put("enabled", true);
            if (tls.has("certResolver")) {
                ordered.set("certResolver", tls.get("certResolver"));
            }
            if (tls.has("domains")) {
                ordered.set("domains", tls.get("domains"));
            }
            spec.set("tls", ordered);
        }
        if (!ms.isEmpty()) {
            spec.set("middlewares", ms);
        }
        Optional<Integer> port = port(service, router, serviceName, services, usedServices, spec, anyLabel);
        if (port.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode target = spec.putObject("target");
        target.put("stack", context.stack());
        target.put("service", service.spec().get("name").asText());
        target.put("port", port.get());
        ObjectNode route = JsonNodeFactory.instance.objectNode();
        route.put("apiVersion", "berth.dev/v1");
        route.put("kind", "Route");
        route.putObject("metadata").put("name", routeName);
        route.set("spec", spec);
        return Optional.of(route);
    }

    private void rule(String rule, ObjectNode spec) {
        Matcher m = SIMPLE_RULE.matcher(rule);
        if (!m.matches()) {
            spec.put("rule", rule);
            return;
        }
        quoted(m.group(1)).forEach(spec.withArrayProperty("hosts")::add);
        if (m.group(2) != null) {
            quoted(m.group(2)).forEach(spec.withArrayProperty("pathPrefixes")::add);
        }
    }

    /** The container port: the router's Traefik service, the only one on the container, or the only port. */
    private Optional<Integer> port(ServiceConverter.Converted service, String router, String serviceName,
                                   Map<String, Map<String, Nodes.Valued>> services, java.util.Set<String> usedServices,
                                   ObjectNode spec, Nodes.Valued at) {
        String name = serviceName;
        if (name == null && services.size() == 1) {
            name = services.keySet().iterator().next();
        }
        Map<String, Nodes.Valued> props = name == null ? null : services.get(name);
        Integer port = null;
        if (props != null) {
            usedServices.add(name);
            for (var p : props.entrySet()) {
                Nodes.Valued label = p.getValue();
                String value = label.value() == null ? "" : label.value();
                switch (p.getKey()) {
                    case "loadbalancer.server.port" -> {
                        try {
                            port = Integer.parseInt(value);
                        } catch (NumberFormatException e) {
                            context.diagnostics().error(label, label.path(), "\"" + value + "\" is not a port");
                        }
                    }
                    case "loadbalancer.healthcheck.path" -> spec.withObjectProperty("healthCheck").put("path", value);
                    case "loadbalancer.healthcheck.interval", "loadbalancer.healthcheck.timeout" -> {
                        if (Durations.isDuration(value)) {
                            spec.withObjectProperty("healthCheck").put(p.getKey().substring(p.getKey().lastIndexOf('.') + 1), value);
                        } else {
                            drop(label, "\"" + value + "\" is not a duration");
                        }
                    }
                    default -> drop(label, "not supported by the Route kind");
                }
            }
        }
        if (spec.has("healthCheck") && !spec.get("healthCheck").has("path")) {
            spec.remove("healthCheck");
        }
        if (port == null) {
            JsonNode ports = service.spec().path("ports");
            if (ports.size() == 1) {
                port = ports.get(0).get("target").asInt();
            }
        }
        if (port == null) {
            context.diagnostics().warn(at, at.path(), "router \"" + router + "\" has no port: set "
                    + "traefik.http.services.<name>.loadbalancer.server.port; no Route made");
            return Optional.empty();
        }
        return Optional.of(port);
    }

    /** A middleware defined in these labels becomes inline; any other is a reference to one Traefik has. */
    private Optional<ObjectNode> middleware(String ref, Map<String, Map<String, Nodes.Valued>> defined, Nodes.Valued at) {
        String local = ref.replaceAll("@docker$", "");
        Map<String, Nodes.Valued> props = defined.get(local);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        if (props == null) {
            if (ref.endsWith("@docker")) {
                drop(at, "middleware " + ref + " is not defined in this service's labels");
                return Optional.empty();
            }
            out.put("ref", ref);
            return Optional.of(out);
        }
        return new TraefikMiddleware(context).inline(DnsNames.of(local), props, at);
    }

    private void drop(Nodes.Valued label, String why) {
        context.diagnostics().warn(label, label.path(), why + "; dropped");
    }

    private static List<String> list(String value) {
        return java.util.Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static List<String> quoted(String args) {
        List<String> out = new ArrayList<>();
        Matcher m = QUOTED.matcher(args);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
