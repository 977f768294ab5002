package dev.berth.operator.cli;

import dev.berth.reconcilers.stack.HostInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which host {@code berth diff stack NAME} plans for. A plan for a name no operator registered is a plan for a host
 * that does not exist, so the choice is said aloud: the named host (a warning when it is not registered), else this
 * machine if it is registered, else the only registered host; with several and none named, the command refuses and
 * lists them. A registered host is planned with its record's labels unless {@code --host-label} is given.
 */
final class DiffHost {
    private DiffHost() {
    }

    static HostInfo choose(String requested, String localName, Map<String, String> labels, List<HostInfo> registered,
                           PrintWriter err) {
        if (requested != null && !requested.isBlank()) {
            Optional<HostInfo> known = find(registered, requested);
            if (known.isEmpty()) {
                err.println("warning: host \"" + requested + "\" is not registered (" + listed(registered)
                        + "): planning for it as if its operator ran with the given labels");
            }
            return withLabels(known.orElse(new HostInfo(requested, Map.of())), labels);
        }
        Optional<HostInfo> local = localName == null ? Optional.empty() : find(registered, localName);
        if (local.isPresent()) {
            return withLabels(local.get(), labels);
        }
        if (registered.size() == 1) {
            err.println("note: planning for host \"" + registered.get(0).name() + "\", the only registered host");
            return withLabels(registered.get(0), labels);
        }
        throw new CliException(registered.isEmpty()
                ? "no host is registered (no operator is running); pass --host NAME to plan for one anyway"
                : "pass --host NAME: this machine is not a registered host, and there are " + registered.size()
                + " (" + String.join(", ", registered.stream().map(HostInfo::name).toList()) + ")");
    }

    private static Optional<HostInfo> find(List<HostInfo> registered, String name) {
        return registered.stream().filter(h -> h.name().equals(name)).findFirst();
    }

    private static HostInfo withLabels(HostInfo host, Map<String, String> labels) {
        return labels.isEmpty() ? host : new HostInfo(host.name(), Map.copyOf(labels));
    }

    private static String listed(List<HostInfo> registered) {
        return registered.isEmpty() ? "no host is registered"
                : "registered: " + String.join(", ", registered.stream().map(HostInfo::name).toList());
    }
}
