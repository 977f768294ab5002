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
 * Turns a service's Traefik labels (Docker provider) into labels-mode Route documents: one per HTTP router (or the
 * router Traefik makes itself, with its default rule, for an enabled container without routers), targeting the
 * service and the port of its load-balancer label. Middlewares defined in the same labels become inline middlewares
 * where the Route can say all of them, references otherwise. A router whose middleware cannot even be referenced gets
 * no Route (fail closed). Every label not carried over is a warning.
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

    /** What a Route's middleware ref takes (route.yaml); Traefik allows more, which a Route cannot then name. */
    private static final Pattern REF = Pattern.compile("[A-Za-z0-9][-A-Za-z0-9_.]*(@[A-Za-z0-9][-A-Za-z0-9_.]*)?");

    private final ImportContext context;
    private final Map<String, String> routeOwners = new LinkedHashMap<>();
    private final Map<String, Nodes.Valued> origins = new LinkedHashMap<>();

    TraefikRoutes(ImportContext context) {
        this.context = context;
    }

    /** Route name → the label it was made from: where a problem with the Route is reported. */
    Map<String, Nodes.Valued> origins() {
        return origins;
    }

    List<ObjectNode> routes(ServiceConverter.Converted service) {
        Map<String, Map<String, Nodes.Valued>> routers = new LinkedHashMap<>();
        Map<String, Map<String, Nodes.Valued>> services = new LinkedHashMap<>();
        Map<String, Map<String, Nodes.Valued>> middlewares = new LinkedHashMap<>();
        boolean enabled = true;
        Nodes.Valued enable = null;
        boolean tcpOrUdp = false;
        for (Nodes.Valued label : service.traefikLabels()) {
            Matcher m;
            if (label.key().equals("traefik.enable")) {
                enabled = "true".equalsIgnoreCase(String.valueOf(label.value()));
                enable = label;
            } else if ((m = ROUTER.matcher(label.key())).matches()) {
                routers.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>()).put(m.group(2).toLowerCase(), label);
            } else if ((m = SERVICE.matcher(label.key())).matches()) {
                services.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>()).put(m.group(2).toLowerCase(), label);
            } else if ((m = MIDDLEWARE.matcher(label.key())).matches()) {
                middlewares.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>()).put(m.group(2).toLowerCase(), label);
            } else if (label.key().equals("traefik.docker.network")) {
                drop(label, "Berth sets traefik.docker.network itself for labels-mode Routes");
            } else if (label.key().startsWith("traefik.tcp.") || label.key().startsWith("traefik.udp.")) {
                tcpOrUdp = true;
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
        Found found = new Found(services, middlewares, new java.util.HashSet<>(), new java.util.HashSet<>(),
                new java.util.TreeMap<>());
        List<ObjectNode> routes = new ArrayList<>();
        for (var router : routers.entrySet()) {
            if (foreignService(router.getKey(), router.getValue(), enable, found)) {
                continue;
            }
            java.util.Set<String> usedBefore = new java.util.HashSet<>(found.usedMiddlewares());
            Optional<ObjectNode> made = route(service, router.getKey(), routeName(router.getKey()), router.getValue(),
                    router.getValue().values().iterator().next(), found);
            made.ifPresent(routes::add);
            if (made.isEmpty()) {
                // A middleware only this router used has no Route to go with: it is reported below as unused and
                // stays on the container, instead of vanishing with the router.
                found.usedMiddlewares().retainAll(usedBefore);
            }
        }
        // Traefik's Docker provider gives an enabled container without HTTP routers a router of its own, with the
        // default rule, unless the container has only TCP/UDP configuration.
        boolean http = enable != null || !services.isEmpty() || !middlewares.isEmpty();
        if (routers.isEmpty() && http && !(tcpOrUdp && services.isEmpty() && middlewares.isEmpty())) {
            Nodes.Valued at = enable != null ? enable : java.util.stream.Stream.concat(services.values().stream(),
                    middlewares.values().stream()).findFirst().orElseThrow().values().iterator().next();
            route(service, null, routeName(service.composeName()), Map.of(), at, found)
                    .ifPresent(routes::add);
        }
        services.forEach((name, labels) -> {
            if (!found.usedServices().contains(name)) {
                labels.values().forEach(l -> drop(l, "no router uses Traefik service \"" + name + "\""));
            }
        });
        middlewares.forEach((name, labels) -> {
            if (!found.usedMiddlewares().contains(name)) {
                // Compose leaves them on the container, where routers of other containers may use them (name@docker).
                labels.values().forEach(l -> found.kept().put(l.key(), l.value() == null ? "" : l.value()));
                Nodes.Valued first = labels.values().iterator().next();
                context.diagnostics().warn(first, first.path(), "no router of this service uses "
                        + "middleware \"" + name + "\": its labels stay on the container, for routers of other containers ("
                        + name + "@docker)");
            }
        });
        if (routes.isEmpty() && enable != null && !found.kept().containsKey(enable.key())) {
            // traefik.enable=true did let Traefik route to the container; without a Route nothing does
            drop(enable, "no Route was made for this service (see the warnings of its routers)");
        }
        keepOnContainer(service, found.kept());
        return routes;
    }

    /**
     * The labels of one service, and what its routers took from them.
     *
     * @param kept labels that stay on the container as they are (middlewares a Route references as name@docker)
     */
    private record Found(Map<String, Map<String, Nodes.Valued>> services,
                         Map<String, Map<String, Nodes.Valued>> middlewares, java.util.Set<String> usedServices,
                         java.util.Set<String> usedMiddlewares, Map<String, String> kept) {
    }

    /**
     * One Route for one router, or none (fail closed) when a middleware of the router cannot be carried: the service
     * must not go public without it.
     *
     * @param router the router's name in the labels; null for the router Traefik makes itself
     * @param at     where problems of the whole router are reported
     */
    private Optional<ObjectNode> route(ServiceConverter.Converted service, String router, String routeName,
                                       Map<String, Nodes.Valued> props, Nodes.Valued at, Found found) {
        String shown = router == null ? "Traefik's default router" : "router \"" + router + "\"";
        String owner = routeOwners.putIfAbsent(routeName, service.composeName());
        if (owner != null) {
            context.diagnostics().error(at, at.path(),
                    shown + " gives Route \"" + routeName + "\", already made for service " + owner);
            return Optional.empty();
        }
        ObjectNode spec = JsonNodeFactory.instance.objectNode();
        // The file's Traefik reads container labels (Docker provider); labels mode keeps it working unchanged.
        spec.put("mode", "labels");
        Nodes.Valued rule = props.get("rule");
        if (rule == null || rule.value() == null || rule.value().isBlank()) {
            rule(defaultRule(service, rule == null ? at : rule, router), spec);
        } else {
            rule(rule.value(), spec);
        }
        ObjectNode tls = JsonNodeFactory.instance.objectNode();
        ArrayNode ms = JsonNodeFactory.instance.arrayNode();
        boolean closed = false;
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
                        Optional<ObjectNode> m = middleware(router, ref, label, found);
                        m.ifPresent(ms::add);
                        closed |= m.isEmpty();
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
        if (closed) {
            return Optional.empty();
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
        Optional<Integer> port = port(service, shown, serviceName, found, spec, at, dropped(router, props));
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
        origins.put(routeName, at);
        return Optional.of(route);
    }

    /**
     * Traefik's default rule for a Compose container: {@code Host(`{{ normalize .Name }}`)}, .Name being
     * {@code <service>_<project>} from the Compose labels, normalised (every run of other characters than letters and
     * digits becomes one '-'). The project is the Compose project name (not the stack's DNS label).
     */
    private String defaultRule(ServiceConverter.Converted service, Nodes.Valued at, String router) {
        String host = String.join("-", java.util.Arrays.stream(
                (service.composeName() + "_" + context.project()).split("[^\\p{L}\\p{N}]+")).filter(w -> !w.isEmpty()).toList());
        String rule = "Host(`" + host + "`)";
        String what = router == null ? at.key() + "=" + at.value() + " and no router: Traefik makes a router for the "
                + "container with its default rule" : "router \"" + router + "\" has no rule: Traefik gives it its default rule";
        context.diagnostics().warn(at, at.path(), what + ", " + rule + " (defaultRule "
                + "Host(`{{ normalize .Name }}`), .Name being <service>-<project>), which the Route keeps; if your "
                + "Traefik sets another providers.docker.defaultRule, change the Route's hosts");
        return rule;
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
    private Optional<Integer> port(ServiceConverter.Converted service, String router, String serviceName, Found found,
                                   ObjectNode spec, Nodes.Valued at, String dropped) {
        Map<String, Map<String, Nodes.Valued>> services = found.services();
        String name = serviceName;
        if (name == null && services.size() == 1) {
            name = services.keySet().iterator().next();
        }
        Map<String, Nodes.Valued> props = name == null ? null : services.get(name);
        Integer port = null;
        if (props != null) {
            found.usedServices().add(name);
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
        java.util.SortedSet<Integer> targets = new java.util.TreeSet<>();
        service.spec().path("ports").forEach(p -> targets.add(p.get("target").asInt()));
        if (port == null && targets.size() == 1) {
            port = targets.first();
        }
        if (port == null && targets.size() > 1) {
            // Traefik would take the lowest port the container exposes, the image's EXPOSE ports included, which an
            // import cannot see: a guess here could send the traffic to an admin or metrics port.
            context.diagnostics().error(at, at.path(), router + " names no port and "
                    + "the service has several " + targets + ": Traefik takes the lowest port the container exposes, "
                    + "its image's included; set traefik.http.services.<name>.loadbalancer.server.port");
            return Optional.empty();
        }
        if (port == null) {
            context.diagnostics().warn(at, at.path(), router + " has no port: set "
                    + "traefik.http.services.<name>.loadbalancer.server.port; no Route made" + dropped);
            return Optional.empty();
        }
        return Optional.of(port);
    }

    /**
     * One middleware of a router as the Route's: inline when these labels define it and the Route kind can say all of
     * it, else a reference (name@provider) Traefik resolves as it did for the compose file; a middleware defined here
     * that the Route kind cannot say keeps its labels on the container, where Traefik's Docker provider reads it.
     * Empty, with an error, when not even a reference can be written: the router gets no Route.
     */
    private Optional<ObjectNode> middleware(String router, String ref, Nodes.Valued at, Found found) {
        int sign = ref.lastIndexOf('@');
        // A name without @provider is the router's own provider's: docker.
        String local = sign < 0 ? ref : ref.substring(0, sign);
        boolean docker = sign < 0 || ref.substring(sign + 1).equals("docker");
        String reference = docker ? local + "@docker" : ref;
        if (!REF.matcher(reference).matches()) {
            context.diagnostics().error(at, at.path(), "middleware \"" + ref + "\" of router \""
                    + router + "\" cannot be named by a Route (letters, digits, '-', '_' and '.'), and the router must not "
                    + "go public without it: no Route is made for it");
            return Optional.empty();
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("ref", reference);
        Map<String, Nodes.Valued> props = docker ? found.middlewares().get(local) : null;
        if (!docker) {
            return Optional.of(out);
        }
        if (props == null) {
            context.diagnostics().warn(at, at.path(), "middleware " + reference + " is not defined "
                    + "in this service's labels: the Route references it, and Traefik's Docker provider must have it "
                    + "from another container's labels, else Traefik refuses the router (it stays closed)");
            return Optional.of(out);
        }
        found.usedMiddlewares().add(local);
        TraefikMiddleware.Conversion conversion = new TraefikMiddleware(context).inline(DnsNames.of(local), props);
        if (conversion.inline().isPresent()) {
            return conversion.inline();
        }
        props.values().forEach(l -> found.kept().put(l.key(), l.value() == null ? "" : l.value()));
        context.diagnostics().warn(at, at.path(), "middleware \"" + local + "\": "
                + conversion.uncarried() + "; its labels stay on the container and the Route references it as "
                + reference);
        return Optional.of(out);
    }

    /**
     * A router whose Traefik service is another provider's ({@code api@internal}, {@code x@file}) does not send traffic
     * to this container, so a Route targeting the container would change where it goes. Its labels (and those of the
     * middlewares it uses from these labels) stay on the container, where Traefik's Docker provider reads them as in
     * the compose file, and no Route is made.
     *
     * @return whether the router was handled so
     */
    private boolean foreignService(String router, Map<String, Nodes.Valued> props, Nodes.Valued enable, Found found) {
        Nodes.Valued service = props.get("service");
        String value = service == null || service.value() == null ? "" : service.value().strip();
        int sign = value.lastIndexOf('@');
        if (sign < 0 || value.substring(sign + 1).equals("docker")) {
            return false;
        }
        props.values().forEach(l -> keep(l, found));
        Nodes.Valued uses = props.get("middlewares");
        if (uses != null && uses.value() != null) {
            for (String ref : list(uses.value())) {
                String local = ref.endsWith("@docker") ? ref.substring(0, ref.length() - "@docker".length()) : ref;
                Map<String, Nodes.Valued> defined = ref.contains("@") && !ref.endsWith("@docker") ? null
                        : found.middlewares().get(local);
                if (defined != null) {
                    found.usedMiddlewares().add(local);
                    defined.values().forEach(l -> keep(l, found));
                }
            }
        }
        if (enable != null) {
            keep(enable, found);
        }
        Nodes.Valued at = props.values().iterator().next();
        context.diagnostics().warn(at, at.path(), "router \"" + router + "\" uses Traefik service \"" + value
                + "\", not this container: no Route made; its labels stay on the container, where Traefik's Docker "
                + "provider reads them as before: traefik.http.routers." + router + ".{"
                + String.join(", ", props.keySet()) + "}");
        return true;
    }

    /**
     * {@code <stack>-<router>} as a DNS label. When that is longer than 63 characters the stack's part is shortened,
     * not the router's: cutting the end would give two routers of a long-named stack the same Route. A router name
     * too long to fit keeps its start and a hash of the whole, so distinct routers stay distinct.
     */
    private String routeName(String router) {
        String whole = DnsNames.of(context.stack() + "-" + router);
        String full = (context.stack() + "-" + DnsNames.of(router));
        if (full.length() <= 63 || whole.isEmpty()) {
            return whole;
        }
        String own = DnsNames.of(router);
        if (own.length() > 40) {
            own = DnsNames.of(own.substring(0, 32)) + "-" + Integer.toHexString(router.hashCode() & 0xfffffff);
        }
        String stack = DnsNames.of(context.stack().substring(0, Math.max(1, 62 - own.length())));
        return DnsNames.of(stack + "-" + own);
    }

    /** A label that stays on the container as written. */
    private static void keep(Nodes.Valued label, Found found) {
        found.kept().put(label.key(), label.value() == null ? "" : label.value());
    }

    /** The labels a router without a Route loses, for its warning ("" for Traefik's default router). */
    private static String dropped(String router, Map<String, Nodes.Valued> props) {
        if (router == null || props.isEmpty()) {
            return "";
        }
        return ", so its labels are dropped: traefik.http.routers." + router + ".{" + String.join(", ", props.keySet())
                + "}";
    }

    /** Labels that stay on the container as written, in the service's labels (its own win, as in Compose). */
    private static void keepOnContainer(ServiceConverter.Converted service, Map<String, String> kept) {
        if (kept.isEmpty()) {
            return;
        }
        ObjectNode spec = service.spec();
        ObjectNode labels = JsonNodeFactory.instance.objectNode();
        kept.forEach(labels::put);
        if (spec.get("labels") instanceof ObjectNode own) {
            labels.setAll(own);
        }
        spec.set("labels", labels);
        ObjectNode ordered = ServiceConverter.ordered(spec);
        spec.removeAll();
        spec.setAll(ordered);
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
