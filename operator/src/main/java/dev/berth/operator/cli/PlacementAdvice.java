package dev.berth.operator.cli;

import dev.berth.crds.FieldLocator;
import dev.berth.crds.Resource;
import dev.berth.crds.ValidationError;
import dev.berth.crds.stack.Placement;
import dev.berth.crds.stack.PortSpec;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.stack.VolumeSpec;
import dev.berth.reconcilers.stack.HostInfo;
import dev.berth.reconcilers.stack.PlacementRule;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code berth apply} says about a valid Stack given the hosts alive right now: where it will run (a note),
 * and what will not work as the person probably expects (warnings at {@code file:line:column}). Pure: the hosts are
 * read by {@link PlacementNotice}. Nothing here refuses an apply: hosts come and go, and the scheduler reports what
 * it cannot place in the stack's status anyway.
 */
final class PlacementAdvice {
    private PlacementAdvice() {
    }

    static List<String> of(Resource resource, List<HostInfo> hosts) {
        if (!(resource.spec() instanceof StackSpec stack)) {
            return List.of();
        }
        List<ValidationError> warnings = new ArrayList<>();
        FieldLocator at = FieldLocator.of(resource);
        // Keyed by where spread is written: a stack-wide label missing everywhere is one warning, not one per service.
        Map<String, MissingSpread> missingSpread = new LinkedHashMap<>();
        for (int i = 0; i < stack.services().size(); i++) {
            ServiceSpec service = stack.services().get(i);
            Placement placement = service.effectivePlacement(stack.placement());
            List<HostInfo> eligible = hosts.stream().filter(h -> PlacementRule.placedHere(placement, h)).toList();
            String path = "spec.services[" + i + "]";
            if (service.replicas() == 0) {
                continue;
            }
            if (!placement.global()) {
                failover(service, path, eligible, at).ifPresent(warnings::add);
                // No eligible host at all is said once, by room(); here some are eligible, but none has the label.
                if (placement.spread() != null && !eligible.isEmpty()
                        && eligible.stream().noneMatch(h -> h.labels().containsKey(placement.spread()))) {
                    String spreadPath = service.placement() != null && service.placement().spread() != null
                            ? path + ".placement.spread" : "spec.placement.spread";
                    missingSpread.computeIfAbsent(spreadPath, p -> new MissingSpread(placement.spread(), new ArrayList<>()))
                            .services().add(service.name());
                }
            }
            room(service, placement, path, hosts, eligible, at).ifPresent(warnings::add);
        }
        missingSpread.forEach((path, miss) -> warnings.add(at.at(path, "no live host that "
                + (miss.services().size() == 1 ? "service \"" + miss.services().get(0) + "\" may run on"
                : "services " + String.join(", ", miss.services()) + " may run on") + " has the label \""
                + miss.label() + "\" (hosts without it get no replicas): the replicas stay Pending until one has it")));
        List<String> lines = new ArrayList<>();
        note(resource, stack, hosts).ifPresent(lines::add);
        warnings.stream().sorted(Comparator.comparingInt(ValidationError::line).thenComparingInt(ValidationError::column))
                .map(PlacementAdvice::warning).forEach(lines::add);
        return lines;
    }

    private record MissingSpread(String label, List<String> services) {
    }

    /** The stack's reach, when nothing in it restricts hosts and several hosts are known (one host: as ever). */
    private static Optional<String> note(Resource resource, StackSpec stack, List<HostInfo> hosts) {
        List<Placement> placements = stack.services().stream().map(s -> s.effectivePlacement(stack.placement())).toList();
        if (hosts.size() < 2 || placements.stream().anyMatch(p -> !p.isEmpty())) {
            return Optional.empty();
        }
        String all = hosts.size() + " known hosts (" + String.join(", ", hosts.stream().map(HostInfo::name).toList()) + ")";
        String head = "note: " + resource.key() + " may run on any host: ";
        long global = placements.stream().filter(Placement::global).count();
        if (global == placements.size()) {
            return Optional.of(head + "its services are global, so each of the " + all
                    + " runs replicas containers of every service");
        }
        return Optional.of(head + "the scheduler spreads the replicas of each "
                + (global == 0 ? "service" : "replicated service") + " over all " + all
                + (global == 0 ? "" : "; each of them runs the global services"));
    }

    /**
     * Host-local data does not follow a replica the scheduler moves when its host is lost. A read-only mount holds
     * nothing the service wrote, so it is left out. Only said where a move is possible: two or more live hosts.
     */
    private static Optional<ValidationError> failover(ServiceSpec service, String path, List<HostInfo> eligible,
                                                       FieldLocator at) {
        if (!service.failover() || eligible.size() < 2) {
            return Optional.empty();
        }
        for (int v = 0; v < service.volumes().size(); v++) {
            VolumeSpec volume = service.volumes().get(v);
            if (volume.readOnly() || !(volume.type().equals("volume") || volume.type().equals("bind"))) {
                continue;
            }
            String what = volume.type().equals("volume") ? "the named volume \"" + volume.source() + "\""
                    : "the host path " + volume.source();
            return Optional.of(at.at(path + ".volumes[" + v + "]", "service \"" + service.name()
                    + "\" is replicated with failover on and mounts " + what + ": if its host is lost, the replica"
                    + " starts on another host without that data; set failover: false to keep it on its host"
                    + " (Unavailable while the host is down), or placement mode: global"));
        }
        return Optional.empty();
    }

    /** More replicas than the live hosts it may run on can take: the rest stay Pending (Unschedulable). */
    private static Optional<ValidationError> room(ServiceSpec service, Placement placement, String path,
                                                   List<HostInfo> hosts, List<HostInfo> eligible, FieldLocator at) {
        if (hosts.isEmpty()) {
            return Optional.empty(); // no operator registered yet: nothing to compare with
        }
        if (eligible.isEmpty()) {
            return Optional.of(at.at(placementPath(service, path), "no live host matches the "
                    + "placement of service \"" + service.name() + "\" (live: " + String.join(", ",
                    hosts.stream().map(HostInfo::name).toList()) + "): nothing of it runs until one does"));
        }
        if (placement.global()) {
            return Optional.empty();
        }
        boolean fixedPort = service.ports().stream().map(PortSpec::published).anyMatch(p -> p != null);
        int perHost = fixedPort ? 1 : placement.maxPerHost() == null ? Integer.MAX_VALUE : placement.maxPerHost();
        long room = (long) perHost * eligible.size();
        if (service.replicas() <= room) {
            return Optional.empty();
        }
        String why = fixedPort ? "1 each (a fixed host port binds once per host)" : perHost + " each (maxPerHost)";
        return Optional.of(at.at(path + ".replicas", "service \"" + service.name() + "\" wants "
                + service.replicas() + " replicas but the " + eligible.size() + " live host"
                + (eligible.size() == 1 ? "" : "s") + " it may run on take " + why + ": "
                + (service.replicas() - room) + " stay Pending until more hosts join"));
    }

    private static String placementPath(ServiceSpec service, String path) {
        return service.placement() != null && !service.placement().isEmpty() ? path + ".placement" : "spec.placement";
    }

    static String warning(ValidationError at) {
        // The compiler shape with "warning:" after the place, as gcc and javac print warnings.
        String where = at.file() + ":" + at.line() + ":" + at.column() + ": warning: ";
        return where + at.path() + ": " + at.message();
    }
}
