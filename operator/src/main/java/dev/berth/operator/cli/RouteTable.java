package dev.berth.operator.cli;

import dev.berth.crds.route.RouteSpec;
import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ServiceCount;
import dev.berth.operator.route.RouteReconciler;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Routes: one row per route (the leader's status): rule, target, backends ready/total, TLS, status. */
final class RouteTable implements KindTable {
    @Override
    public List<String> header(boolean wide) {
        return wide ? List.of("NAME", "MODE", "RULE", "TARGET", "BACKENDS", "TLS", "STATUS", "AGE", "MESSAGE")
                : List.of("NAME", "RULE", "BACKENDS", "TLS", "STATUS", "AGE");
    }

    @Override
    public List<List<String>> rows(ObjectView view, Instant now, boolean wide) {
        var spec = view.object().resource().map(r -> r.spec(RouteSpec.class));
        String rule = spec.map(RouteSpec::effectiveRule).orElse("-");
        String mode = spec.map(RouteSpec::mode).orElse("-");
        String target = spec.map(s -> s.target().stack() + "/" + s.target().service() + ":" + s.target().port()).orElse("-");
        String tls = spec.map(s -> !s.tlsEnabled() ? "no" : s.tls().certResolver() != null ? s.tls().certResolver() : "yes").orElse("-");
        List<List<String>> rows = new ArrayList<>();
        if (view.statuses().isEmpty()) {
            String status = view.object().valid() ? "Pending" : "Invalid";
            String message = view.object().valid() ? "no route leader has reported yet" : view.object().errors().get(0).toString();
            rows.add(row(wide, view.object().name(), mode, rule, target, "-", tls, status, "-", message));
        }
        for (ObjectStatus s : view.statuses()) {
            boolean degraded = s.condition(Condition.DEGRADED).map(Condition::isTrue).orElse(false);
            String status = degraded ? "Degraded" : s.ready() ? "Ready" : "NotReady";
            String message = s.condition(Condition.READY).map(c -> c.reason() + ": " + c.message()).orElse("");
            String backends = s.services().values().stream().findFirst()
                    .map((ServiceCount c) -> c.running() + "/" + c.desired()).orElse("-");
            rows.add(row(wide, view.object().name(), mode, rule, target, backends, tls, status, Ages.since(s.since(), now), message));
        }
        return rows;
    }

    private static List<String> row(boolean wide, String name, String mode, String rule, String target, String backends,
                                    String tls, String status, String age, String message) {
        return wide ? List.of(name, mode, rule, target, backends, tls, status, age, message)
                : List.of(name, rule, backends, tls, status, age);
    }

    @Override
    public void describe(ObjectView view, PrintWriter out) {
        view.object().resource().map(r -> r.spec(RouteSpec.class)).ifPresent(s -> {
            out.println("Mode:         " + s.mode());
            out.println("Rule:         " + s.effectiveRule());
            out.println("Priority:     " + (s.priority() == null ? "(Traefik's default: rule length)" : s.priority()));
            out.println("Entry points: " + (s.entryPoints().isEmpty() ? "(all)" : String.join(", ", s.entryPoints())));
            out.println("TLS:          " + (!s.tlsEnabled() ? "no" : "yes" + (s.tls().certResolver() == null ? ""
                    : ", cert resolver " + s.tls().certResolver())));
            out.println("Target:       stack " + s.target().stack() + ", service " + s.target().service() + ", port "
                    + s.target().port() + (s.target().network() == null ? "" : " on network " + s.target().network()));
            if (!s.middlewares().isEmpty()) {
                out.println("Middlewares:  " + String.join(", ", s.middlewares().stream()
                        .map(m -> m.isReference() ? m.ref() : m.name() + " (" + String.join("", m.kinds()) + ")").toList()));
            }
        });
        for (ObjectStatus s : view.statuses()) {
            out.println("Status (written by the route leader " + s.host() + "):");
            Conditions.print(new ObjectStatus(s.host(), s.observedRevision(), s.conditions().stream()
                    .filter(c -> !c.type().equals(RouteReconciler.KEYS_WRITTEN)).toList(), s.services(), s.lastError(), s.since()), out);
            List<String> keys = s.condition(RouteReconciler.KEYS_WRITTEN).filter(Condition::isTrue)
                    .map(c -> List.of(c.message().split(" "))).orElse(List.of());
            out.println("Traefik keys (" + keys.size() + "):");
            if (keys.isEmpty()) {
                out.println("  (none written)");
            }
            keys.forEach(k -> out.println("  " + k));
        }
    }

}
