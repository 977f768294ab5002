package dev.berth.reconcilers.route;

import dev.berth.reconcilers.docker.ListedContainer;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.labels.BerthLabels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pure: this instance's running stack containers on this host, as one Docker list returned them, with their ports
 * and network addresses, grouped by stack (a stack with none running has no list). The list is the observed cache's
 * own, so routes cost no extra Docker call.
 */
public final class BackendLister {
    private BackendLister() {
    }

    /** A replica this host still runs but no longer serves: the scheduler gave it to another host. */
    @FunctionalInterface
    public interface Leaving {
        Leaving NONE = (stack, service, replica) -> false;

        boolean leaving(String stack, String service, int replica);
    }

    /**
     * Stack name → its running containers here, each with {@code address} as the address published ports are reached
     * on.
     */
    public static Map<String, List<PublishedContainer>> byStack(List<ListedContainer> listed, String instance, String address) {
        return byStack(listed, instance, address, Leaving.NONE);
    }

    /**
     * As above, without the replicas that are {@code leaving}: a replica moving to another host stops getting new
     * requests when the move begins, and is removed only after its new copy runs and a drain.
     */
    public static Map<String, List<PublishedContainer>> byStack(List<ListedContainer> listed, String instance, String address,
                                                                Leaving leaving) {
        Map<String, List<PublishedContainer>> byStack = new TreeMap<>();
        for (ListedContainer l : listed) {
            ObservedContainer c = l.container();
            String owner = c.labels().getOrDefault(BerthLabels.OWNER, "");
            String service = c.labels().get(BerthLabels.SERVICE);
            if (!BerthLabels.isManaged(c.labels(), instance) || !owner.startsWith("stack/") || service == null) {
                continue;
            }
            if (!"running".equals(c.state())) {
                // No route sends anything to it (RouteTargets counts running containers only), and leaving it out
                // saves a write per new container: created then running was two versions of the host's list.
                continue;
            }
            String stackName = owner.substring("stack/".length());
            if (leaving.leaving(stackName, service, replica(c.labels().get(BerthLabels.REPLICA)))) {
                continue;
            }
            List<PublishedContainer.Port> ports = new ArrayList<>();
            for (ListedContainer.PublishedPort p : l.ports()) {
                // Traefik reaches a backend over TCP on the host's IPv4 address.
                if (!"udp".equals(p.protocol()) && !p.hostIp().contains(":")) {
                    ports.add(new PublishedContainer.Port(p.target(), p.published(), p.hostIp()));
                }
            }
            ports.sort(Comparator.comparingInt(PublishedContainer.Port::target).thenComparing(PublishedContainer.Port::hostIp));
            byStack.computeIfAbsent(owner.substring("stack/".length()), k -> new ArrayList<>())
                    .add(new PublishedContainer(c.name(), service, c.state(), c.health(), address, ports, l.addresses()));
        }
        byStack.values().forEach(l -> l.sort(Comparator.comparing(PublishedContainer::container)));
        byStack.replaceAll((stack, containers) -> withoutDraining(containers));
        return byStack;
    }

    private static int replica(String text) {
        try {
            return text == null ? 0 : Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Leaves out containers a start-first update is retiring: once the replacement ({@code <name>-next}) is
     * running and healthy, the old container gets no new traffic while it drains, and is removed only after.
     */
    static List<PublishedContainer> withoutDraining(List<PublishedContainer> containers) {
        java.util.Set<String> replaced = new java.util.HashSet<>();
        for (PublishedContainer c : containers) {
            if (c.container().endsWith("-next") && "running".equals(c.state()) && "healthy".equals(c.health())) {
                replaced.add(c.container().substring(0, c.container().length() - "-next".length()));
            }
        }
        return containers.stream().filter(c -> !replaced.contains(c.container())).toList();
    }
}
