package dev.berth.operator.cli;

import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ServiceCount;
import dev.berth.operator.store.StoredObject;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Stacks: one row per host that reported, READY as running/desired containers. */
final class StackTable implements KindTable {
    @Override
    public List<String> header(boolean wide) {
        return wide ? List.of("NAME", "HOST", "READY", "STATUS", "AGE", "SERVICES", "PLACEMENT", "REVISION", "MESSAGE")
                : List.of("NAME", "HOST", "READY", "STATUS", "AGE");
    }

    @Override
    public List<List<String>> rows(ObjectView view, Instant now, boolean wide) {
        List<List<String>> rows = new ArrayList<>();
        StoredObject object = view.object();
        String services = object.resource().map(r -> r.spec(StackSpec.class).services().size() + "").orElse("-");
        String placement = object.resource().map(r -> Placements.describe(r.spec(StackSpec.class).placement())).orElse("-");
        if (view.statuses().isEmpty()) {
            String status = object.valid() ? "Pending" : "Invalid";
            String message = object.valid() ? "no host has reported yet" : object.errors().get(0).toString();
            rows.add(cut(wide, object.name(), "-", "-", status, "-", services, placement,
                    Long.toString(object.raw().modRevision()), message));
        }
        for (ObjectStatus s : view.statuses()) {
            rows.add(cut(wide, object.name(), s.host(), ready(s), summary(s, object.raw().modRevision()),
                    Ages.since(s.since(), now), services, placement, Long.toString(s.observedRevision()), message(s)));
        }
        return rows;
    }

    private static List<String> cut(boolean wide, String... cells) {
        return wide ? List.of(cells) : List.of(cells).subList(0, 5);
    }

    @Override
    public void describe(ObjectView view, PrintWriter out) {
        view.object().resource().ifPresent(r -> {
            StackSpec stack = r.spec(StackSpec.class);
            out.println("Placement:   " + Placements.describe(stack.placement()));
            out.println("Services:");
            for (ServiceSpec s : stack.services()) {
                out.println("  " + s.name() + ": image " + s.image() + ", replicas " + s.replicas()
                        + (s.networks().isEmpty() ? "" : ", networks " + String.join(",", s.networks())));
            }
            if (!stack.networks().isEmpty()) {
                out.println("Networks:    " + String.join(", ", stack.networks().stream().map(n -> n.name()).toList()));
            }
        });
        out.println("Hosts:");
        if (view.statuses().isEmpty()) {
            out.println("  (no host has reported yet)");
        }
        for (ObjectStatus s : view.statuses()) {
            out.println("  " + s.host() + ":  observed revision " + s.observedRevision() + ", ready " + ready(s));
            for (Map.Entry<String, ServiceCount> e : s.services().entrySet()) {
                out.println("    service " + e.getKey() + ": " + e.getValue().running() + "/" + e.getValue().desired() + " running");
            }
            Conditions.print(s, out);
        }
    }

    static String ready(ObjectStatus status) {
        int running = 0;
        int desired = 0;
        for (ServiceCount count : status.services().values()) {
            running += count.running();
            desired += count.desired();
        }
        return running + "/" + desired;
    }

    static String summary(ObjectStatus status, long currentRevision) {
        if (status.condition(Condition.DEGRADED).map(Condition::isTrue).orElse(false)) {
            return "Degraded";
        }
        if (status.observedRevision() < currentRevision) {
            return "Progressing";
        }
        if (status.ready()) {
            return "Ready";
        }
        return status.condition(Condition.PROGRESSING).map(Condition::isTrue).orElse(false) ? "Progressing" : "NotReady";
    }

    private static String message(ObjectStatus status) {
        for (Condition c : status.conditions()) {
            if (c.type().equals(Condition.DEGRADED) && c.isTrue()) {
                return c.reason() + ": " + c.message();
            }
        }
        return status.condition(Condition.READY).map(Condition::message).orElse("");
    }
}
