package dev.berth.operator.cli;

import dev.berth.crds.stack.Placement;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ServiceCount;
import dev.berth.operator.store.StoredObject;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Stacks: one row per stack for the whole cluster (READY running/desired containers, STATUS from {@link StackView});
 * {@code get stack NAME -o wide} and describe add one row per replica, like {@code docker service ps}.
 */
final class StackTable implements KindTable {
    @Override
    public List<String> header(boolean wide) {
        return wide ? List.of("NAME", "READY", "STATUS", "AGE", "HOSTS", "SERVICES", "PLACEMENT", "REVISION", "MESSAGE")
                : List.of("NAME", "READY", "STATUS", "AGE");
    }

    @Override
    public List<List<String>> rows(ObjectView view, Instant now, boolean wide) {
        StoredObject object = view.object();
        String services = object.resource().map(r -> r.spec(StackSpec.class).services().size() + "").orElse("-");
        String placement = object.resource().map(r -> placement(r.spec(StackSpec.class))).orElse("-");
        StackView.Summary s = view(view, now).summary();
        List<String> row = List.of(object.name(), s.ready(), s.status(), s.age(), s.hosts(), services, placement,
                Long.toString(object.raw().modRevision()), s.message());
        return List.of(wide ? row : row.subList(0, 4));
    }

    /** "all hosts", "global: role=web", "hb1,hb2, maxPerHost 1, spread zone". */
    private static String placement(StackSpec stack) {
        Placement p = stack.placement() == null ? Placement.none() : stack.placement();
        String text = Placements.describe(p);
        if (p.global()) {
            text = "global: " + text;
        }
        if (p.maxPerHost() != null) {
            text += ", maxPerHost " + p.maxPerHost();
        }
        if (p.spread() != null) {
            text += ", spread " + p.spread();
        }
        return text;
    }

    static StackView view(ObjectView view, Instant now) {
        StoredObject object = view.object();
        List<StackView.Service> services = object.resource().map(r -> StackView.Service.of(r.spec(StackSpec.class)))
                .orElse(List.of());
        String invalid = object.valid() ? null : object.errors().isEmpty() ? "invalid" : object.errors().get(0).toString();
        return new StackView(object.name(), object.raw().modRevision(), services, invalid, view.statuses(),
                view.cluster().assignment(object.name()), view.cluster(), now);
    }

    @Override
    public void details(ObjectView view, Instant now, PrintWriter out) {
        out.println();
        printReplicas(view(view, now).replicas(), out);
    }

    private static void printReplicas(List<StackView.ReplicaRow> replicas, PrintWriter out) {
        if (replicas.isEmpty()) {
            out.println("(no replicas assigned or reported)");
            out.flush();
            return;
        }
        Table table = new Table("SERVICE", "REPLICA", "HOST", "STATE", "REASON");
        replicas.forEach(r -> table.row(r.service(), r.replica(), r.host(), r.state(), r.reason()));
        table.print(out);
    }

    @Override
    public void describe(ObjectView view, PrintWriter out) {
        Instant now = Instant.now();
        view.object().resource().ifPresent(r -> {
            StackSpec stack = r.spec(StackSpec.class);
            out.println("Placement:   " + placement(stack));
            out.println("Services:");
            for (ServiceSpec s : stack.services()) {
                Placement p = s.effectivePlacement(stack.placement());
                out.println("  " + s.name() + ": image " + s.image() + ", replicas " + s.replicas()
                        + (p.global() ? " on every eligible host" : " in the cluster")
                        + (s.failover() ? "" : ", failover: false")
                        + (s.networks().isEmpty() ? "" : ", networks " + String.join(",", s.networks())));
            }
            if (!stack.networks().isEmpty()) {
                out.println("Networks:    " + String.join(", ", stack.networks().stream().map(n -> n.name()).toList()));
            }
        });
        StackView stackView = view(view, now);
        StackView.Summary summary = stackView.summary();
        out.println("Status:      " + summary.status() + ", " + summary.ready() + " running"
                + (summary.message().isEmpty() ? "" : "\n  " + summary.message()));
        out.println("Replicas:");
        printReplicas(stackView.replicas(), out);
        out.println("Hosts:");
        if (view.statuses().isEmpty()) {
            out.println("  (no host has reported yet)");
        }
        for (ObjectStatus s : view.statuses()) {
            boolean alive = view.cluster().alive(s.host());
            out.println("  " + s.host() + ":  observed revision " + s.observedRevision() + ", ready " + ready(s)
                    + (alive ? "" : "  Unknown (" + view.cluster().absence(s.host(), now) + "): the last report follows"));
            for (Map.Entry<String, ServiceCount> e : s.services().entrySet()) {
                out.println("    service " + e.getKey() + ": " + e.getValue().running() + "/" + e.getValue().desired() + " running"
                        + (e.getValue().completed() > 0 ? ", " + e.getValue().completed() + " completed" : ""));
            }
            Conditions.print(s, out);
        }
    }

    private static String ready(ObjectStatus status) {
        int running = 0;
        int desired = 0;
        for (ServiceCount count : status.services().values()) {
            running += count.running() + count.completed();
            desired += count.desired();
        }
        return running + "/" + desired;
    }
}
