package dev.berth.reconcilers.route;

import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ContainerPort;
import dev.berth.reconcilers.labels.BerthLabels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pure: this instance's stack containers on this host, as one Docker list returned them, with their ports and
 * network addresses, grouped by stack. The list is the observed cache's own, so routes cost no extra Docker call.
 */
public final class BackendLister {
    private BackendLister() {
    }

    /** Stack name → its containers here, each with {@code address} as the address published ports are reached on. */
    public static Map<String, List<PublishedContainer>> byStack(List<Container> listed, String instance, String address) {
        Map<String, List<PublishedContainer>> byStack = new TreeMap<>();
        for (Container c : listed) {
            Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
            String owner = labels.getOrDefault(BerthLabels.OWNER, "");
            String service = labels.get(BerthLabels.SERVICE);
            if (!BerthLabels.isManaged(labels, instance) || !owner.startsWith("stack/") || service == null) {
                continue;
            }
            List<PublishedContainer.Port> ports = new ArrayList<>();
            if (c.getPorts() != null) {
                for (ContainerPort p : c.getPorts()) {
                    if (p.getPublicPort() != null && p.getPrivatePort() != null && !"udp".equals(p.getType())
                            && (p.getIp() == null || !p.getIp().contains(":"))) {
                        ports.add(new PublishedContainer.Port(p.getPrivatePort(), p.getPublicPort(), p.getIp() == null ? "" : p.getIp()));
                    }
                }
            }
            ports.sort(Comparator.comparingInt(PublishedContainer.Port::target).thenComparing(PublishedContainer.Port::hostIp));
            Map<String, String> networks = new TreeMap<>();
            if (c.getNetworkSettings() != null && c.getNetworkSettings().getNetworks() != null) {
                for (Map.Entry<String, ContainerNetwork> n : c.getNetworkSettings().getNetworks().entrySet()) {
                    String ip = n.getValue().getIpAddress();
                    if (ip != null && !ip.isEmpty()) {
                        networks.put(n.getKey(), ip);
                    }
                }
            }
            String name = c.getNames() == null || c.getNames().length == 0 ? c.getId() : c.getNames()[0].replaceFirst("^/", "");
            byStack.computeIfAbsent(owner.substring("stack/".length()), k -> new ArrayList<>())
                    .add(new PublishedContainer(name, service, c.getState(), health(c.getStatus()), address, ports, networks));
        }
        byStack.values().forEach(l -> l.sort(Comparator.comparing(PublishedContainer::container)));
        byStack.replaceAll((stack, containers) -> withoutDraining(containers));
        return byStack;
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

    static String health(String status) {
        if (status == null) {
            return null;
        }
        if (status.contains("(healthy)")) {
            return "healthy";
        }
        if (status.contains("(unhealthy)")) {
            return "unhealthy";
        }
        return status.contains("(health: starting)") ? "starting" : null;
    }
}
