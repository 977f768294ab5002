package dev.berth.crds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.stack.Placement;
import dev.berth.crds.stack.ResourcesSpec;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 14's bad input: replicas, placement mode, maxPerHost, spread and reservations, each at its line and column. */
class PlacementValidationTest {
    private static List<String> errors(String yaml) {
        return Manifests.PARSER.parse("x.yaml", yaml).errors().stream().map(ValidationError::toString).toList();
    }

    private static StackSpec valid(String yaml) {
        ParseResult result = Manifests.PARSER.parse("x.yaml", yaml);
        assertTrue(result.ok(), result.errors().toString());
        return result.resources().get(0).spec(StackSpec.class);
    }

    /** MINIMAL with a stack placement (YAML flow mapping) inserted before services. */
    private static String withStackPlacement(String placement) {
        return Manifests.MINIMAL.replace("spec:\n", "spec:\n  placement: " + placement + "\n");
    }

    @Test
    void zeroReplicasIsValidAndNegativeIsNot() {
        assertEquals(0, valid(Manifests.MINIMAL + "      replicas: 0\n").services().get(0).replicas());
        assertEquals(List.of("x.yaml:9:17: spec.services[0].replicas: must be at least 0 (got -1)"),
                errors(Manifests.MINIMAL + "      replicas: -1\n"));
    }

    @Test
    void maxPerHostZeroSaysHowToWriteNoLimit() {
        assertEquals(List.of("x.yaml:6:27: spec.placement.maxPerHost: must be at least 1 (got 0); leave maxPerHost "
                        + "out for no limit"),
                errors(withStackPlacement("{maxPerHost: 0}")));
        assertEquals(List.of("x.yaml:9:31: spec.services[0].placement.maxPerHost: must be at least 1 (got 0); leave "
                        + "maxPerHost out for no limit"),
                errors(Manifests.MINIMAL + "      placement: {maxPerHost: 0}\n"));
    }

    @Test
    void unknownModeListsTheModes() {
        assertEquals(List.of("x.yaml:6:21: spec.placement.mode: must be one of: replicated, global (got \"daemonset\")"),
                errors(withStackPlacement("{mode: daemonset}")));
        assertEquals(List.of("x.yaml:9:25: spec.services[0].placement.mode: must be one of: replicated, global "
                        + "(got \"Global\")"),
                errors(Manifests.MINIMAL + "      placement: {mode: Global}\n"));
    }

    @Test
    void emptySpreadLabel() {
        assertEquals(List.of("x.yaml:6:23: spec.placement.spread: must not be empty"),
                errors(withStackPlacement("{spread: \"\"}")));
    }

    @Test
    void allPlacementFieldsBind() {
        StackSpec spec = valid(withStackPlacement("{mode: replicated, hostSelector: {tier: web}, maxPerHost: 2, spread: zone}")
                + """
                      failover: false
                      resources: {cpus: 1, memory: 512m, reservations: {cpus: 0.5, memory: 256m}}
                      placement: {hosts: [h1, h2], maxPerHost: 1}
                """);
        assertEquals(new Placement(List.of(), Map.of("tier", "web"), "replicated", 2, "zone"), spec.placement());
        ServiceSpec service = spec.services().get(0);
        assertEquals(false, service.failover());
        assertEquals(new ResourcesSpec.Reservations(0.5, "256m"), service.resources().reservations());
        assertEquals(new Placement(List.of("h1", "h2"), Map.of(), "replicated", 1, "zone"),
                service.effectivePlacement(spec.placement()));
    }

    @Test
    void maxPerHostAndSpreadOnAGlobalServiceAreErrors() {
        assertEquals(List.of(
                        "x.yaml:9:45: spec.services[0].placement.maxPerHost: maxPerHost applies to replicated services "
                                + "only, but this service is global: every eligible host runs replicas containers; "
                                + "set replicas, or remove maxPerHost",
                        "x.yaml:9:56: spec.services[0].placement.spread: spread applies to replicated services only, "
                                + "but this service is global: every eligible host runs it already; remove spread or "
                                + "use mode: replicated"),
                errors(Manifests.MINIMAL + "      placement: {mode: global, maxPerHost: 2, spread: zone}\n"));
    }

    @Test
    void aServiceInheritingGlobalModeMayNotSetMaxPerHost() {
        assertEquals(List.of("x.yaml:10:31: spec.services[0].placement.maxPerHost: maxPerHost applies to replicated "
                        + "services only, but this service is global (mode inherited from spec.placement): every "
                        + "eligible host runs replicas containers; set replicas, or remove maxPerHost"),
                errors(withStackPlacement("{mode: global}") + "      placement: {maxPerHost: 2}\n"));
    }

    @Test
    void aGlobalStackWithMaxPerHostIsAnErrorOnlyWhenNoServiceIsReplicated() {
        String global = withStackPlacement("{mode: global, maxPerHost: 2}");
        assertEquals(List.of("x.yaml:6:41: spec.placement.maxPerHost: maxPerHost applies to replicated services "
                        + "only, but the stack's placement is global: every eligible host runs replicas containers; "
                        + "set replicas, or remove maxPerHost"),
                errors(global));
        // One service is replicated on its own: the stack's maxPerHost is what limits it.
        assertEquals(List.of(), errors(global + "      placement: {mode: replicated}\n"));
    }

    @Test
    void aGlobalServiceIgnoresTheStacksMaxPerHostAndSpread() {
        StackSpec spec = valid(withStackPlacement("{maxPerHost: 2, spread: zone}") + """
                      placement: {mode: global}
                    - name: other
                      image: busybox:1
                """);
        assertTrue(spec.services().get(0).effectivePlacement(spec.placement()).global());
    }

    @Test
    void aReplicatedServiceWithAFixedHostPortMayHaveManyReplicasAndAnyMaxPerHost() {
        // The scheduler puts at most one per host; on fewer hosts the rest are Pending, not invalid.
        assertEquals(List.of(), errors(Manifests.MINIMAL + """
                      replicas: 3
                      ports: [{target: 80, published: 8080}]
                      placement: {maxPerHost: 2}
                """));
    }

    @Test
    void aGlobalServiceWithAFixedHostPortHasOneReplicaPerHost() {
        assertEquals(List.of("x.yaml:11:39: spec.services[0].ports[0].published: a global service that publishes "
                        + "a host port can run only 1 replica per host (replicas: 2); use replicas: 1, or mode: "
                        + "replicated to spread 2 replicas over as many hosts"),
                errors(withStackPlacement("{mode: global}") + """
                              replicas: 2
                              ports: [{target: 80, published: 8080}]
                        """));
        assertEquals(List.of(), errors(withStackPlacement("{mode: global}") + """
                      ports: [{target: 80, published: 8080}]
                """));
    }

    @Test
    void reservationsMustNotExceedLimits() {
        assertEquals(List.of(
                        "x.yaml:9:65: spec.services[0].resources.reservations.cpus: reserves 2 CPUs but the limit is "
                                + "0.5 (resources.cpus)",
                        "x.yaml:9:76: spec.services[0].resources.reservations.memory: reserves 1g but the limit is "
                                + "512m (resources.memory)"),
                errors(Manifests.MINIMAL + "      resources: {cpus: 0.5, memory: 512m, reservations: {cpus: 2, memory: 1g}}\n"));
        assertEquals(List.of("x.yaml:9:40: spec.services[0].resources.reservations.cpus: must be at least 0.01 (got 0)"),
                errors(Manifests.MINIMAL + "      resources: {reservations: {cpus: 0, memory: 1g}}\n"));
    }
}
