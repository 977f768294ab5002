package dev.berth.reconcilers.desired;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.route.RouteSpec;
import dev.berth.crds.stack.Placement;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.reconcilers.schedule.Assignment;
import dev.berth.reconcilers.schedule.Handover;
import dev.berth.reconcilers.schedule.StackAssignment;
import dev.berth.reconcilers.stack.HostInfo;
import dev.berth.reconcilers.stack.StackHere;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What a host should run of a stack: global services where placed, replicated services as assigned (plus replicas it
 * hands over and keeps until they run elsewhere), and the labels of labels-mode Routes to its services.
 */
class DesiredHereTest {
    private static final HostInfo HERE = new HostInfo("h1", Map.of("role", "web"));
    private static final Placement GLOBAL = new Placement(null, null, Placement.GLOBAL, null, null);

    private static StackSpec stack(Placement placement) {
        return stack(placement, 1);
    }

    private static StackSpec stack(Placement placement, int replicas) {
        return new StackSpec(placement, List.of(new ServiceSpec("web", "img", null, null, null, Map.of("own", "label"),
                null, null, null, null, null, null, null, null, null, null, null, null, replicas, null, null)), null);
    }

    private static RouteSpec route(String mode, String stack) {
        return new RouteSpec(mode, List.of("a.example"), List.of(), null, List.of(), null, null, List.of(),
                new RouteSpec.RouteTarget(stack, "web", 8080, null), null);
    }

    private static StackAssignment assigned(List<Assignment> assignments, List<Handover> handovers) {
        return new StackAssignment("s", 1, assignments, handovers, List.of(), List.of(), "now");
    }

    @Test
    void aGlobalStackPlacedElsewhereIsNotWantedHereAndOnePlacedHereRunsEveryReplica() {
        Placement elsewhere = new Placement(List.of("h2"), null, Placement.GLOBAL, null, null);
        assertEquals(Optional.empty(), DesiredHere.stack("s", Optional.of(stack(elsewhere)), HERE, Map.of(), Optional.empty()));
        assertEquals(Optional.empty(), DesiredHere.stack("s", Optional.empty(), HERE, Map.of(), Optional.empty()));
        Placement bySelector = new Placement(null, Map.of("role", "web"), Placement.GLOBAL, null, null);
        StackHere here = DesiredHere.stack("s", Optional.of(stack(bySelector, 3)), HERE, Map.of(), Optional.empty()).orElseThrow();
        assertEquals(Set.of(1, 2, 3), here.of("web"));
        assertTrue(here.undecided().isEmpty());
    }

    @Test
    void aReplicatedServiceRunsExactlyTheReplicasAssignedHere() {
        StackAssignment assignment = assigned(List.of(new Assignment("web", 1, "h2"), new Assignment("web", 2, "h1"),
                new Assignment("web", 3, "h1")), List.of());
        StackHere here = DesiredHere.stack("s", Optional.of(stack(null, 3)), HERE, Map.of(), Optional.of(assignment))
                .orElseThrow();
        assertEquals(Set.of(2, 3), here.of("web"));
    }

    @Test
    void aReplicatedStackWithNothingAssignedHereIsNotWantedHere() {
        StackAssignment assignment = assigned(List.of(new Assignment("web", 1, "h2")), List.of());
        assertEquals(Optional.empty(), DesiredHere.stack("s", Optional.of(stack(null)), HERE, Map.of(), Optional.of(assignment)));
    }

    @Test
    void withoutAnAssignmentAReplicatedServiceIsUndecidedSoWhatRunsStays() {
        StackHere here = DesiredHere.stack("s", Optional.of(stack(null, 2)), HERE, Map.of(), Optional.empty()).orElseThrow();
        assertEquals(Set.of("web"), here.undecided());
        assertTrue(here.of("web").isEmpty());
        assertEquals(Optional.empty(), DesiredHere.stack("s", Optional.of(stack(new Placement(List.of("h2"), null), 2)),
                HERE, Map.of(), Optional.empty()), "a host the placement excludes has nothing to wait for");
    }

    @Test
    void aReplicaHandedOverStaysOnItsOldHostUntilTheHandoverEnds() {
        StackAssignment moving = assigned(List.of(new Assignment("web", 1, "h2")), List.of(new Handover("web", 1, "h1", "h2")));
        assertEquals(Set.of(1), DesiredHere.stack("s", Optional.of(stack(null)), HERE, Map.of(), Optional.of(moving))
                .orElseThrow().of("web"));
        StackHere target = DesiredHere.stack("s", Optional.of(stack(null)), new HostInfo("h2", Map.of()), Map.of(),
                Optional.of(moving)).orElseThrow();
        assertEquals(Set.of(1), target.of("web"));
    }

    @Test
    void labelsModeRoutesToTheStackAddTheirLabelsAndNothingElseDoes() {
        Map<String, RouteSpec> routes = Map.of("site", route(RouteSpec.LABELS, "s"), "kv", route(RouteSpec.KV, "s"),
                "other", route(RouteSpec.LABELS, "t"));
        Map<String, String> labels = DesiredHere.stack("s", Optional.of(stack(GLOBAL)), HERE, routes, Optional.empty())
                .orElseThrow().spec().services().get(0).labels();
        assertEquals("true", labels.get("traefik.enable"));
        assertEquals("Host(`a.example`)", labels.get("traefik.http.routers.berth-site.rule"));
        assertFalse(labels.keySet().stream().anyMatch(k -> k.contains("berth-kv") || k.contains("berth-other")), labels.toString());
        assertEquals("label", labels.get("own"));
        assertEquals(stack(GLOBAL), DesiredHere.stack("s", Optional.of(stack(GLOBAL)), HERE, Map.of(), Optional.empty())
                .orElseThrow().spec());
    }

    @Test
    void aServiceTheAssignmentDoesNotMentionYetIsUndecidedUnlessItWantsNoReplicas() {
        StackSpec two = new StackSpec(null, List.of(stack(null, 1).services().get(0),
                new ServiceSpec("api", "img", null, null, null, null, null, null, null, null, null, null, null, null, null,
                        null, null, null, 2, null, null)), null);
        StackAssignment onlyWeb = assigned(List.of(new Assignment("web", 1, "h1")), List.of());
        StackHere here = DesiredHere.stack("s", Optional.of(two), HERE, Map.of(), Optional.of(onlyWeb)).orElseThrow();
        assertEquals(Set.of("api"), here.undecided(), "api's running containers stay until the scheduler decides");
        assertEquals(Set.of(1), here.of("web"));
    }

    /**
     * Scaled from 3 to 1 with a containerName while the stored assignment still gives this host replicas 2 and 3:
     * both would be planned as the one Docker name. The host runs one of them (the lowest); the other is scaled down.
     */
    @Test
    void aServiceWithAContainerNameRunsOneReplicaHereEvenUnderAnOlderAssignment() {
        String yaml = "apiVersion: berth.dev/v1\nkind: Stack\nmetadata:\n  name: s\nspec:\n  services:\n"
                + "    - name: web\n      image: img\n      containerName: legacy_web\n";
        StackSpec spec = new dev.berth.crds.ManifestParser(dev.berth.crds.Kinds.standard()).parse("s.yaml", yaml)
                .resources().get(0).spec(StackSpec.class);
        StackAssignment old = assigned(List.of(new Assignment("web", 1, "h2"), new Assignment("web", 2, "h1"),
                new Assignment("web", 3, "h1")), List.of());
        StackHere here = DesiredHere.stack("s", Optional.of(spec), HERE, Map.of(), Optional.of(old)).orElseThrow();
        assertEquals(Set.of(2), here.of("web"));
    }
}
