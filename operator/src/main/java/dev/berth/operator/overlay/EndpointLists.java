package dev.berth.operator.overlay;

import dev.berth.crds.ObjectKey;
import dev.berth.reconcilers.docker.Endpoint;
import dev.berth.reconcilers.docker.ListedContainer;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.labels.BerthLabels;
import dev.berth.reconcilers.overlay.OverlayNames;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What this host publishes per Berth Network: its containers on the Network's Docker network, with address, MAC,
 * names and readiness. Pure. A container without an address there (stopped, not yet started) is not listed: it
 * cannot be reached. Sorted by address, so the same containers always give an equal list (and no write).
 */
public final class EndpointLists {
    private static final Comparator<Endpoint> ORDER = Comparator.comparing(Endpoint::ip)
            .thenComparing(Endpoint::mac, Comparator.nullsFirst(Comparator.naturalOrder()));

    private EndpointLists() {
    }

    /**
     * @param networks the Berth Networks that have their Docker network on this host: each gets a list, maybe empty
     * @param instance only this Berth instance's containers are listed
     */
    public static Map<String, List<Endpoint>> byNetwork(List<ListedContainer> containers, Set<String> networks,
                                                        String instance) {
        Map<String, List<Endpoint>> lists = new TreeMap<>();
        for (String network : networks) {
            lists.put(network, new ArrayList<>());
        }
        for (ListedContainer listed : containers) {
            ObservedContainer c = listed.container();
            if (!BerthLabels.isManaged(c.labels(), instance)) {
                continue;
            }
            for (String network : networks) {
                String docker = OverlayNames.dockerNetwork(network);
                String ip = listed.addresses().get(docker);
                String mac = listed.macs().get(docker);
                // Unicast mode programs both; an entry without a MAC would be an FDB entry to nowhere.
                if (ip != null && mac != null) {
                    lists.get(network).add(endpoint(c, ip, mac));
                }
            }
        }
        Map<String, List<Endpoint>> sorted = new TreeMap<>();
        lists.forEach((network, list) -> sorted.put(network, list.stream().sorted(ORDER).toList()));
        return sorted;
    }

    /**
     * A stack's container carries its names; any other container (no service label) only its address, which unicast
     * mode still needs. Ready: running, and healthy when it has a health check (null health: none).
     */
    static Endpoint endpoint(ObservedContainer c, String ip, String mac) {
        boolean ready = c.running() && (c.health() == null || c.healthy());
        String service = c.labels().get(BerthLabels.SERVICE);
        String stack = ObjectKey.tryParse(c.labels().getOrDefault(BerthLabels.OWNER, ""))
                .flatMap(k -> k.nameIf(ObjectKey.STACK)).orElse(null);
        if (service == null || stack == null) {
            return new Endpoint(ip, mac, null, null, null, null, ready);
        }
        return new Endpoint(ip, mac, c.name(), stack, service, replica(c.labels().get(BerthLabels.REPLICA)), ready,
                aliases(c.labels().get(BerthLabels.ALIASES)));
    }

    private static List<String> aliases(String label) {
        return label == null || label.isBlank() ? List.of()
                : java.util.Arrays.stream(label.split(",")).map(String::strip).filter(a -> !a.isEmpty()).toList();
    }

    private static Integer replica(String text) {
        try {
            return text == null ? null : Integer.valueOf(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
