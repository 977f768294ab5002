package dev.berth.reconcilers.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.reconcilers.docker.ContainerPlan;
import dev.berth.reconcilers.docker.NetworkAttachment;
import dev.berth.reconcilers.docker.NetworkPlan;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.docker.ObservedNetwork;
import dev.berth.reconcilers.labels.BerthLabels;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Names across hosts in the container plans: with names on, a container on a Berth Network gets this host's gateway
 * of its first Berth Network as DNS server and no service alias there; plain stack networks keep their aliases; with
 * names off (or no Berth Network) plans and hashes are exactly those of before.
 */
class NameServersPlanTest {
    private static final String I = BerthLabels.DEFAULT_INSTANCE;

    /** SpecHashPinTest's stack: web joins back, front (declared) and mesh (a Berth Network); worker only default. */
    private static List<ContainerPlan> plans(NameServers names) {
        StackSpec spec = SpecHashPinTest.sample();
        return PlanBuilder.containers(I, "shop", StackHere.all(spec).withNames(names), SpecHashPinTest.networks());
    }

    private static ContainerPlan named(List<ContainerPlan> plans, String name) {
        return plans.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    private static Map<String, List<String>> aliases(ContainerPlan plan) {
        return plan.networks().stream().collect(Collectors.toMap(NetworkAttachment::declaredName, NetworkAttachment::aliases));
    }

    private static Map<String, String> hashes(List<ContainerPlan> plans) {
        return plans.stream().collect(Collectors.toMap(ContainerPlan::name, ContainerPlan::specHash));
    }

    @Test
    void namesOffPlansExactlyAsBefore() {
        List<ContainerPlan> off = plans(NameServers.off());
        assertEquals(SpecHashPinTest.containers(), off);
        assertEquals(Map.of(
                "shop-web-1", "66507e4300eb0602",
                "shop-web-2", "37dcd84d00b105b4",
                "shop-worker-1", "d7adef14652809d4"), hashes(off), "the pinned hashes of earlier releases");
        off.forEach(p -> assertEquals(List.of(), p.dns()));
        assertEquals(List.of("web"), aliases(named(off, "shop-web-1")).get("mesh"));
    }

    @Test
    void namesOnPointContainersOnABerthNetworkAtTheGatewayWithoutTheServiceAliasThere() {
        List<ContainerPlan> on = plans(NameServers.on(Map.of("mesh", "10.77.3.1")));
        ContainerPlan web = named(on, "shop-web-1");
        assertEquals(List.of("10.77.3.1"), web.dns());
        assertEquals(Map.of("back", List.of("web"), "front", List.of("web"), "mesh", List.of()), aliases(web),
                "aliases stay on the stack's own networks, none on the Berth Network");
        assertNotEquals(SpecHashPinTest.containers().get(0).specHash(), web.specHash(), "a different container");
    }

    @Test
    void theHostsResolversFollowTheGatewayAndAChangeOfThemReplacesNothing() {
        ContainerPlan bare = named(plans(NameServers.on(Map.of("mesh", "10.77.3.1"))), "shop-web-1");
        ContainerPlan withFallback = named(plans(NameServers.on(Map.of("mesh", "10.77.3.1"),
                List.of("192.168.1.1", "10.77.3.1", "192.168.1.2"))), "shop-web-1");
        assertEquals(List.of("10.77.3.1", "192.168.1.1", "192.168.1.2"), withFallback.dns(),
                "the gateway first (the operator answers), then the host's resolvers, each once");
        assertEquals(bare.specHash(), withFallback.specHash(), "a changed resolv.conf on the host replaces no container");
        ContainerPlan otherGateway = named(plans(NameServers.on(Map.of("mesh", "10.77.4.1"),
                List.of("192.168.1.1"))), "shop-web-1");
        assertNotEquals(withFallback.specHash(), otherGateway.specHash(), "the gateway itself is part of the hash");
    }

    @Test
    void namesOnLeaveContainersWithoutABerthNetworkUnchanged() {
        List<ContainerPlan> on = plans(NameServers.on(Map.of("mesh", "10.77.3.1")));
        ContainerPlan before = named(SpecHashPinTest.containers(), "shop-worker-1");
        assertEquals(before, named(on, "shop-worker-1"));
        assertEquals("d7adef14652809d4", named(on, "shop-worker-1").specHash());
    }

    @Test
    void theFirstBerthNetworkByNameGivesTheDnsServer() {
        ServiceSpec s = Specs.withNetworks(Specs.service("api", "img", 1), List.of("zeta", "alpha"));
        ContainerPlan plan = PlanBuilder.container(I, "st", s, 1, Map.of(),
                NameServers.on(Map.of("zeta", "10.9.0.1", "alpha", "10.8.0.1")));
        assertEquals(List.of("10.8.0.1"), plan.dns());
        assertEquals("zeta", plan.networks().get(0).network(), "the service's own order still picks the create network");
        plan.networks().forEach(n -> assertEquals(List.of(), n.aliases()));
    }

    @Test
    void theDnsServerIsPartOfTheHash() {
        ServiceSpec s = Specs.withNetworks(Specs.service("api", "img", 1), List.of("mesh"));
        String one = PlanBuilder.container(I, "st", s, 1, Map.of(), NameServers.on(Map.of("mesh", "10.8.0.1"))).specHash();
        String other = PlanBuilder.container(I, "st", s, 1, Map.of(), NameServers.on(Map.of("mesh", "10.8.1.1"))).specHash();
        assertNotEquals(one, other);
    }

    @Test
    void aDockerNetworkMadeOutsideBerthKeepsTheServiceAliasAndGivesNoNameServer() {
        ServiceSpec s = Specs.withNetworks(Specs.service("api", "img", 1), List.of("traefik_proxy", "mesh"));
        ContainerPlan plan = PlanBuilder.container(I, "st", s, 1, Map.of(), NameServers.on(Map.of("mesh", "10.8.0.1"))
                .withDockerNetworks(java.util.Set.of("traefik_proxy")));
        assertEquals(List.of("10.8.0.1"), plan.dns(), "the Berth Network's gateway");
        assertEquals(Map.of("traefik_proxy", List.of("api"), "mesh", List.of()), aliases(plan));
        assertEquals("traefik_proxy", plan.networks().get(0).network(), "joined by its exact name");
        ContainerPlan only = PlanBuilder.container(I, "st", Specs.withNetworks(Specs.service("api", "img", 1),
                List.of("traefik_proxy")), 1, Map.of(), NameServers.on(Map.of()).withDockerNetworks(java.util.Set.of("traefik_proxy")));
        assertEquals(List.of(), only.dns());
        assertEquals(Map.of("traefik_proxy", List.of("api")), aliases(only));
    }

    @Test
    void anUnknownGatewayIsNotPlannedAround() {
        ServiceSpec s = Specs.withNetworks(Specs.service("api", "img", 1), List.of("mesh"));
        assertThrows(IllegalArgumentException.class,
                () -> PlanBuilder.container(I, "st", s, 1, Map.of(), NameServers.on(Map.of())));
    }

    @Test
    void turningNamesOnReplacesOnlyTheContainersOnBerthNetworks() {
        StackSpec spec = SpecHashPinTest.sample();
        Map<String, NetworkPlan> nets = SpecHashPinTest.networks();
        ObservedStack running = new ObservedStack(
                SpecHashPinTest.containers().stream()
                        .map(p -> new ObservedContainer("c-" + p.name(), p.name(), p.labels(), "running", null)).toList(),
                nets.values().stream().map(n -> new ObservedNetwork("n-" + n.name(), n.name(), n.labels())).toList());
        StackHere here = StackHere.all(spec).withNames(NameServers.on(Map.of("mesh", "10.77.3.1")));
        // web updates start-first, one at a time: its first replica's successor comes first; worker stays.
        List<String> created = StackPlanner.makeHere(I, "shop", Optional.of(here), running, 0).actions().stream()
                .filter(a -> a instanceof StackAction.CreateContainer)
                .map(a -> ((StackAction.CreateContainer) a).plan().name()).sorted().toList();
        assertEquals(List.of("shop-web-1-next"), created);
        assertEquals(List.of(), StackPlanner.makeHere(I, "shop", Optional.of(StackHere.all(spec)), running, 0).actions(),
                "names off: nothing to do");
    }
}
