package dev.berth.reconcilers.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.reconcilers.docker.ListedContainer;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.labels.BerthLabels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendListerTest {
    private static ListedContainer listed(String name, String owner, String service, String state, String health,
                                          List<ListedContainer.PublishedPort> ports) {
        Map<String, String> labels = service == null
                ? Map.of(BerthLabels.MANAGED_BY, "berth", BerthLabels.OWNER, owner)
                : Map.of(BerthLabels.MANAGED_BY, "berth", BerthLabels.OWNER, owner, BerthLabels.SERVICE, service);
        return new ListedContainer(new ObservedContainer("id-" + name, name, labels, state, health),
                Map.of("ov", "10.1.0.2"), ports);
    }

    @Test
    void publishesTcpIpv4PortsAndAddressesOfStackContainersOnly() {
        var ports = List.of(new ListedContainer.PublishedPort(8080, 20080, "tcp", "0.0.0.0"),
                new ListedContainer.PublishedPort(8080, 20080, "tcp", "::"),
                new ListedContainer.PublishedPort(53, 20053, "udp", "0.0.0.0"),
                new ListedContainer.PublishedPort(443, 20443, "tcp", ""));
        var byStack = BackendLister.byStack(List.of(
                listed("web-web-1", "stack/web", "web", "running", "healthy", ports),
                listed("ov-net", "network/ov", "web", "running", null, List.of()),
                listed("web-x-1", "stack/web", null, "running", null, List.of())), "berth", "192.0.2.1");
        assertEquals(Map.of("web", List.of(new PublishedContainer("web-web-1", "web", "running", "healthy", "192.0.2.1",
                List.of(new PublishedContainer.Port(443, 20443, ""), new PublishedContainer.Port(8080, 20080, "0.0.0.0")),
                Map.of("ov", "10.1.0.2")))), byStack);
    }

    @Test
    void aRetiringContainerLeavesOnceItsReplacementIsHealthy() {
        var byStack = BackendLister.byStack(List.of(
                listed("s-web-1", "stack/s", "web", "running", "healthy", List.of()),
                listed("s-web-1-next", "stack/s", "web", "running", "healthy", List.of())), "berth", "192.0.2.1");
        assertEquals(List.of("s-web-1-next"), byStack.get("s").stream().map(PublishedContainer::container).toList());
    }

    @Test
    void aReplicaMovingToAnotherHostIsNoLongerABackendHere() {
        ListedContainer one = listed("s-web-1", "stack/s", "web", "running", null, List.of());
        ListedContainer two = listed("s-web-2", "stack/s", "web", "running", null, List.of());
        Map<String, String> labels = new java.util.HashMap<>(two.container().labels());
        labels.put(BerthLabels.REPLICA, "2");
        ListedContainer moving = new ListedContainer(new ObservedContainer("id-2", "s-web-2", labels, "running", null),
                two.addresses(), two.ports());
        var byStack = BackendLister.byStack(List.of(one, moving), "berth", "192.0.2.1",
                (stack, service, replica) -> stack.equals("s") && service.equals("web") && replica == 2);
        assertEquals(List.of("s-web-1"), byStack.get("s").stream().map(PublishedContainer::container).toList());
    }

    @Test
    void onlyRunningContainersAreBackends() {
        var byStack = BackendLister.byStack(List.of(
                listed("s-web-1", "stack/s", "web", "running", null, List.of()),
                listed("s-web-2", "stack/s", "web", "created", null, List.of()),
                listed("s-web-3", "stack/s", "web", "exited", null, List.of()),
                listed("s-web-4", "stack/s", "web", "restarting", null, List.of()),
                listed("t-web-1", "stack/t", "web", "created", null, List.of())), "berth", "192.0.2.1");
        // A stack with nothing running here has no list: a new stack's list is not written before a container runs.
        assertEquals(Map.of("s", List.of("s-web-1")), Map.of("s", byStack.get("s").stream()
                .map(PublishedContainer::container).toList()));
        assertEquals(java.util.Set.of("s"), byStack.keySet());
    }
}
