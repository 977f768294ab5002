package dev.berth.reconcilers.route;

import dev.berth.crds.route.RouteSpec;
import dev.berth.crds.stack.PortSpec;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.reconcilers.stack.PlanBuilder;
import dev.berth.reconcilers.stack.StackNames;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Pure: a Route's target against the stack's spec and what every live host published. Either a problem (the
 * target does not exist, the port is not exposed, the network is not joined) or the server URLs of the running,
 * healthy containers, with counts of ready and running ones.
 */
public final class RouteTargets {
    private RouteTargets() {
    }

    /** What the target resolved to. {@code reason} is null when the target is fine. */
    public record Resolution(String reason, String message, List<String> urls, int ready, int total) {
        public Resolution {
            urls = urls == null ? List.of() : List.copyOf(urls);
        }

        public boolean ok() {
            return reason == null;
        }

        static Resolution problem(String reason, String message) {
            return new Resolution(reason, message, List.of(), 0, 0);
        }
    }

    /** The target's problem with the stack spec alone, if any (checked before looking at any container). */
    public static Optional<Resolution> check(String route, RouteSpec spec, Optional<StackSpec> stack) {
        RouteSpec.RouteTarget t = spec.target();
        if (stack.isEmpty()) {
            return Optional.of(Resolution.problem("TargetNotFound", "route " + route + ": stack \"" + t.stack() + "\" does not exist"));
        }
        Optional<ServiceSpec> service = stack.get().services().stream().filter(s -> s.name().equals(t.service())).findFirst();
        if (service.isEmpty()) {
            return Optional.of(Resolution.problem("TargetNotFound", "route " + route + ": stack \"" + t.stack() + "\" has no service \""
                    + t.service() + "\" (services: " + String.join(", ", stack.get().services().stream().map(ServiceSpec::name).toList()) + ")"));
        }
        ServiceSpec s = service.get();
        if (t.network() != null) {
            if (!s.networks().contains(t.network())) {
                return Optional.of(Resolution.problem("NetworkNotJoined", "route " + route + ": service \"" + t.service()
                        + "\" of stack \"" + t.stack() + "\" does not join the network \"" + t.network() + "\""));
            }
            return Optional.empty();
        }
        if (RouteSpec.LABELS.equals(spec.mode())) {
            // Traefik's Docker provider reaches the container on its Docker network: no published port needed.
            return Optional.empty();
        }
        boolean published = s.ports().stream().anyMatch(p -> p.target() == t.port() && p.published() != null
                && !"udp".equals(p.protocol()));
        if (!published) {
            List<String> exposed = s.ports().stream().filter(p -> p.published() != null)
                    .map(p -> p.target() + "->" + p.published()).toList();
            return Optional.of(Resolution.problem("PortNotExposed", "route " + route + ": service \"" + t.service() + "\" of stack \""
                    + t.stack() + "\" does not publish container port " + t.port() + " (published: "
                    + (exposed.isEmpty() ? "none" : String.join(", ", exposed)) + "); add ports: [{target: " + t.port()
                    + ", published: <host port>}] or route through a Berth Network"));
        }
        return Optional.empty();
    }

    /** The servers of the target on every live host (hosts without a live record are skipped). */
    public static Resolution resolve(String route, RouteSpec spec, Optional<StackSpec> stack,
                                     Map<String, List<PublishedContainer>> byHost, Set<String> liveHosts) {
        Optional<Resolution> problem = check(route, spec, stack);
        if (problem.isPresent()) {
            return problem.get();
        }
        RouteSpec.RouteTarget t = spec.target();
        Set<String> urls = new TreeSet<>();
        int total = 0;
        int ready = 0;
        for (Map.Entry<String, List<PublishedContainer>> host : byHost.entrySet()) {
            if (!liveHosts.contains(host.getKey())) {
                continue;
            }
            for (PublishedContainer c : host.getValue()) {
                if (!c.service().equals(t.service()) || !c.running()) {
                    continue;
                }
                total++;
                Optional<String> url = url(t, c);
                if (c.healthy() && RouteSpec.LABELS.equals(spec.mode())) {
                    ready++;
                } else if (c.healthy() && url.isPresent()) {
                    ready++;
                    urls.add(url.get());
                }
            }
        }
        return new Resolution(null, null, List.copyOf(urls), ready, total);
    }

    static Optional<String> url(RouteSpec.RouteTarget t, PublishedContainer c) {
        if (t.network() != null) {
            // A Berth Network keeps its name in Docker; a network the stack declares is "<stack>_<name>".
            String ip = c.networks().getOrDefault(t.network(), c.networks().get(StackNames.network(t.stack(), t.network())));
            return Optional.ofNullable(ip).map(a -> "http://" + a + ":" + t.port());
        }
        return c.ports().stream().filter(p -> p.target() == t.port()).findFirst().map(p -> {
            String host = p.hostIp().isEmpty() || "0.0.0.0".equals(p.hostIp()) ? c.address() : p.hostIp();
            return host == null ? null : "http://" + host + ":" + p.published();
        });
    }

    /** The Docker network name a service's container uses for {@code network} (declared, overlay or default). */
    public static String dockerNetwork(String stack, StackSpec spec, String network) {
        return PlanBuilder.externalNetworks(spec).contains(network) ? network : StackNames.network(stack, network);
    }

    /** Kept for callers that check a port list directly. */
    public static boolean publishes(List<PortSpec> ports, int port) {
        return ports.stream().anyMatch(p -> p.target() == port && p.published() != null);
    }
}
