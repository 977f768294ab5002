package dev.berth.operator.cli;

import dev.berth.crds.FieldLocator;
import dev.berth.crds.Resource;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The warning {@code berth apply} prints when a stack's placement names hosts the cluster has never heard of (no host
 * record, no scheduler membership): a typo there applies fine and then stays Pending without a word. One line per
 * stack, at the first placement naming such a host. Pure; with no known host at all (no operator has run yet) there
 * is nothing to compare with and nothing is said.
 */
final class UnknownPlacementHosts {
    private UnknownPlacementHosts() {
    }

    static Optional<String> of(Resource resource, Set<String> known) {
        if (!(resource.spec() instanceof StackSpec stack) || known.isEmpty()) {
            return Optional.empty();
        }
        Set<String> unknown = new TreeSet<>();
        String first = null;
        if (stack.placement() != null) {
            first = collect(stack.placement().hosts(), known, unknown, first, "spec.placement.hosts");
        }
        for (int i = 0; i < stack.services().size(); i++) {
            ServiceSpec service = stack.services().get(i);
            if (service.placement() != null) {
                first = collect(service.placement().hosts(), known, unknown, first,
                        "spec.services[" + i + "].placement.hosts");
            }
        }
        if (unknown.isEmpty()) {
            return Optional.empty();
        }
        String message = resource.key() + " is placed on host" + (unknown.size() == 1 ? " " : "s ")
                + String.join(", ", unknown) + ", which the cluster does not know (known: " + String.join(", ",
                new TreeSet<>(known)) + "): what runs only there stays Pending until an operator with that name joins";
        return Optional.of(PlacementAdvice.warning(FieldLocator.of(resource).at(first, message)));
    }

    private static String collect(List<String> hosts, Set<String> known, Set<String> unknown, String first,
                                  String path) {
        String at = first;
        for (String host : hosts) {
            if (!known.contains(host)) {
                unknown.add(host);
                at = at == null ? path : at;
            }
        }
        return at;
    }
}
