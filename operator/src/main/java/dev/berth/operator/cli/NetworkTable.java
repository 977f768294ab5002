package dev.berth.operator.cli;

import dev.berth.crds.network.NetworkSpec;
import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Overlay Networks: one row per host that takes part, with its state and range (Unknown: the host is not alive). */
final class NetworkTable implements KindTable {
    @Override
    public List<String> header(boolean wide) {
        return wide ? List.of("NAME", "VNI", "SUBNET", "MODE", "HOST", "STATUS", "AGE", "MESSAGE")
                : List.of("NAME", "VNI", "SUBNET", "HOST", "STATUS", "AGE");
    }

    @Override
    public List<List<String>> rows(ObjectView view, Instant now, boolean wide) {
        List<List<String>> rows = new ArrayList<>();
        var spec = view.object().resource().map(r -> r.spec(NetworkSpec.class));
        String vni = spec.map(s -> Integer.toString(s.vni())).orElse("-");
        String subnet = spec.map(NetworkSpec::subnet).orElse("-");
        String mode = spec.map(NetworkSpec::mode).orElse("-");
        if (view.statuses().isEmpty()) {
            String status = view.object().valid() ? "Unused" : "Invalid";
            String message = view.object().valid() ? "no host runs a container on it" : view.object().errors().get(0).toString();
            rows.add(row(wide, view.object().name(), vni, subnet, mode, "-", status, "-", message));
        }
        for (ObjectStatus s : view.statuses()) {
            if (!view.cluster().alive(s.host())) {
                // Its last report may be long stale: the host's operator is gone, so nobody vouches for it.
                rows.add(row(wide, view.object().name(), vni, subnet, mode, s.host(), "Unknown", Ages.since(s.since(), now),
                        view.cluster().absence(s.host(), now)));
                continue;
            }
            boolean degraded = s.condition(Condition.DEGRADED).map(Condition::isTrue).orElse(false);
            String status = degraded ? "Degraded" : s.ready() ? "Ready" : "NotReady";
            String message = degraded ? s.condition(Condition.DEGRADED).map(c -> c.reason() + ": " + c.message()).orElse("")
                    : s.condition(Condition.READY).map(Condition::message).orElse("");
            rows.add(row(wide, view.object().name(), vni, subnet, mode, s.host(), status, Ages.since(s.since(), now), message));
        }
        return rows;
    }

    private static List<String> row(boolean wide, String name, String vni, String subnet, String mode, String host,
                                    String status, String age, String message) {
        return wide ? List.of(name, vni, subnet, mode, host, status, age, message)
                : List.of(name, vni, subnet, host, status, age);
    }

    @Override
    public void describe(ObjectView view, PrintWriter out) {
        view.object().resource().map(r -> r.spec(NetworkSpec.class)).ifPresent(s -> {
            out.println("VNI:         " + s.vni());
            out.println("Subnet:      " + s.subnet() + " (each host /" + s.hostPrefix() + ")");
            out.println("Port:        " + s.port() + "/udp");
            out.println("Mode:        " + s.mode());
            out.println("MTU:         " + (s.mtu() == null ? "underlay MTU - 50" : s.mtu()));
        });
        out.println("Hosts:");
        if (view.statuses().isEmpty()) {
            out.println("  (no host takes part)");
        }
        Instant now = Instant.now();
        for (ObjectStatus s : view.statuses()) {
            out.println("  " + s.host() + ":" + (view.cluster().alive(s.host()) ? ""
                    : "  Unknown (" + view.cluster().absence(s.host(), now) + "): the last report follows"));
            Conditions.print(s, out);
        }
    }
}
