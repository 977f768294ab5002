package dev.berth.operator.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.reconcilers.docker.Endpoint;
import dev.berth.reconcilers.docker.ListedContainer;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.labels.BerthLabels;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a host publishes per Berth Network, from the observed cache's container list. */
class EndpointListsTest {
    private static final String I = "berth";

    private static ListedContainer stackContainer(String stack, String service, int replica, String state, String health,
                                                  Map<String, String> ips) {
        Map<String, String> labels = Map.of(BerthLabels.MANAGED_BY, I, BerthLabels.OWNER, "stack/" + stack,
                BerthLabels.SERVICE, service, BerthLabels.REPLICA, Integer.toString(replica));
        return listed(stack + "-" + service + "-" + replica, labels, state, health, ips);
    }

    private static ListedContainer listed(String name, Map<String, String> labels, String state, String health,
                                          Map<String, String> ips) {
        Map<String, String> macs = new HashMap<>();
        ips.forEach((network, ip) -> macs.put(network, mac(ip)));
        return new ListedContainer(new ObservedContainer("id-" + name, name, labels, state, health), ips, macs, List.of());
    }

    private static String mac(String ip) {
        return "02:42:" + ip.replace('.', ':');
    }

    @Test
    void everyContainerOnTheNetworkWithItsNamesAndReadiness() {
        List<ListedContainer> containers = List.of(
                stackContainer("shop", "web", 1, "running", null, Map.of("mesh", "10.5.1.3", "shop_default", "172.20.0.2")),
                stackContainer("shop", "web", 2, "running", "healthy", Map.of("mesh", "10.5.1.2")),
                stackContainer("shop", "api", 1, "running", "unhealthy", Map.of("mesh", "10.5.1.4")),
                stackContainer("shop", "api", 2, "running", "starting", Map.of("mesh", "10.5.1.5")),
                stackContainer("other", "db", 1, "paused", null, Map.of("mesh", "10.5.1.6")));
        Map<String, List<Endpoint>> lists = EndpointLists.byNetwork(containers, Set.of("mesh"), I);
        assertEquals(Map.of("mesh", List.of(
                new Endpoint("10.5.1.2", mac("10.5.1.2"), "shop-web-2", "shop", "web", 2, true),
                new Endpoint("10.5.1.3", mac("10.5.1.3"), "shop-web-1", "shop", "web", 1, true),
                new Endpoint("10.5.1.4", mac("10.5.1.4"), "shop-api-1", "shop", "api", 1, false),
                new Endpoint("10.5.1.5", mac("10.5.1.5"), "shop-api-2", "shop", "api", 2, false),
                new Endpoint("10.5.1.6", mac("10.5.1.6"), "other-db-1", "other", "db", 1, false))), lists);
    }

    /** A service's aliases ride on the aliases label; a list without them is written as before (no aliases field). */
    @Test
    void aServicesAliasesAreListedFromItsLabelAndLeftOutWhenItHasNone() throws Exception {
        Map<String, String> labels = Map.of(BerthLabels.MANAGED_BY, I, BerthLabels.OWNER, "stack/shop",
                BerthLabels.SERVICE, "web", BerthLabels.REPLICA, "1", BerthLabels.ALIASES, "www,site");
        List<Endpoint> list = EndpointLists.byNetwork(List.of(listed("legacy_web", labels, "running", null,
                Map.of("mesh", "10.5.1.2"))), Set.of("mesh"), I).get("mesh");
        assertEquals(List.of(new Endpoint("10.5.1.2", mac("10.5.1.2"), "legacy_web", "shop", "web", 1, true,
                List.of("www", "site"))), list);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertEquals(false, json.writeValueAsString(new Endpoint("10.5.1.3", "m", "c", "shop", "api", 1, true))
                .contains("aliases"));
        assertEquals(list.get(0), json.readValue(json.writeValueAsString(list.get(0)), Endpoint.class));
    }

    @Test
    void theSameContainersInAnotherOrderGiveAnEqualList() {
        List<ListedContainer> containers = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            containers.add(stackContainer("s", "web", i, "running", null, Map.of("mesh", "10.5.1." + (i * 7 % 13 + 2))));
        }
        Map<String, List<Endpoint>> first = EndpointLists.byNetwork(containers, Set.of("mesh"), I);
        Collections.reverse(containers);
        assertEquals(first, EndpointLists.byNetwork(containers, Set.of("mesh"), I));
    }

    @Test
    void unaddressedForeignAndOtherNetworksContainersAreLeftOutAndEmptyNetworksListed() {
        List<ListedContainer> containers = List.of(
                // Stopped: Docker lists no address, so it cannot be reached.
                stackContainer("s", "web", 1, "exited", null, Map.of()),
                // Another Berth instance's container on a Docker network of the same name.
                listed("x-web-1", Map.of(BerthLabels.MANAGED_BY, "other", BerthLabels.OWNER, "stack/x",
                        BerthLabels.SERVICE, "web", BerthLabels.REPLICA, "1"), "running", null, Map.of("mesh", "10.5.1.9")),
                // On a Network that has no Docker network here (any more): nothing published for it.
                stackContainer("s", "web", 2, "running", null, Map.of("gone", "10.6.1.2")),
                // No address on the network yet (created, not started), only elsewhere.
                stackContainer("s", "api", 1, "running", null, Map.of("s_default", "172.20.0.3")));
        assertEquals(Map.of("mesh", List.of(), "quiet", List.of()),
                EndpointLists.byNetwork(containers, Set.of("mesh", "quiet"), I));
    }

    @Test
    void aContainerNotRunByAStackIsListedByAddressOnly() {
        List<ListedContainer> containers = List.of(listed("helper", Map.of(BerthLabels.MANAGED_BY, I), "running", null,
                Map.of("mesh", "10.5.1.7")));
        assertEquals(List.of(new Endpoint("10.5.1.7", mac("10.5.1.7"), null, null, null, null, true)),
                EndpointLists.byNetwork(containers, Set.of("mesh"), I).get("mesh"));
    }
}
