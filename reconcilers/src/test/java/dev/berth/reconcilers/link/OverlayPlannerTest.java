package dev.berth.reconcilers.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OverlayPlannerTest {
    private static final VxlanDevice DEV = new VxlanDevice("bv42", 42, "10.0.0.1", 4789, 1450, "bb1", true, "berth:blue");
    private static final FdbEntry FLOOD_A = FdbEntry.flood("bv42", "10.0.0.2");
    private static final FdbEntry FLOOD_B = FdbEntry.flood("bv42", "10.0.0.3");
    private static final FdbEntry MAC_A = new FdbEntry("02:42:0a:14:02:05", "bv42", "10.0.0.2");
    private static final NeighEntry NEIGH_A = new NeighEntry("10.20.2.5", "02:42:0a:14:02:05", "bb1");
    private static final OverlayDesired DESIRED = new OverlayDesired(List.of(DEV), List.of(FLOOD_A, FLOOD_B, MAC_A),
            List.of(NEIGH_A));

    private static LinkState state(List<VxlanDevice> devices, List<FdbEntry> fdb, List<NeighEntry> neigh) {
        return new LinkState(devices, Map.of("bb1", new BridgeInfo("bb1", 1450, true)), fdb, neigh);
    }

    private static LinkState converged() {
        return state(List.of(DEV), DESIRED.fdb(), DESIRED.neighbours());
    }

    private static VxlanDevice with(int vni, String local, int port, int mtu, String master, boolean up, String alias,
                                    boolean learning) {
        return new VxlanDevice("bv42", vni, local, port, mtu, master, up, alias, learning);
    }

    private static List<String> described(List<LinkAction> actions) {
        return actions.stream().map(LinkAction::describe).toList();
    }

    @Test
    void emptyKernelCreatesDeviceThenEntries() {
        assertEquals(List.of(
                new LinkAction.CreateVxlan(DEV),
                new LinkAction.AppendFdb(FLOOD_A),
                new LinkAction.AppendFdb(FLOOD_B),
                new LinkAction.ReplaceFdb(MAC_A),
                new LinkAction.ReplaceNeigh(NEIGH_A)), OverlayPlanner.plan(DESIRED, LinkState.empty()));
    }

    @Test
    void convergedGivesEmptyPlan() {
        assertEquals(List.of(), OverlayPlanner.plan(DESIRED, converged()));
    }

    @Test
    void eachIdentityDifferenceRecreatesWithAllEntries() {
        List<VxlanDevice> drifted = List.of(
                with(43, "10.0.0.1", 4789, 1450, "bb1", true, "berth:blue", false),
                with(42, "10.0.0.9", 4789, 1450, "bb1", true, "berth:blue", false),
                with(42, "10.0.0.1", 8472, 1450, "bb1", true, "berth:blue", false),
                with(42, "10.0.0.1", 4789, 1500, "bb1", true, "berth:blue", false),
                with(42, "10.0.0.1", 4789, 1450, "bb1", true, "berth:blue", true),
                with(42, "10.0.0.1", 4789, 1450, "bb1", true, "berth:green", false));
        List<String> reasons = List.of("vni 43→42", "local 10.0.0.9→10.0.0.1", "dstport 8472→4789", "mtu 1500→1450",
                "learning on", "alias berth:green→berth:blue");
        for (int i = 0; i < drifted.size(); i++) {
            List<LinkAction> plan = OverlayPlanner.plan(DESIRED,
                    state(List.of(drifted.get(i)), DESIRED.fdb(), DESIRED.neighbours()));
            assertEquals(List.of(
                    new LinkAction.DeleteLink("bv42", reasons.get(i)),
                    new LinkAction.CreateVxlan(DEV),
                    // The old entries died with the device: all are added again, none deleted.
                    new LinkAction.AppendFdb(FLOOD_A),
                    new LinkAction.AppendFdb(FLOOD_B),
                    new LinkAction.ReplaceFdb(MAC_A),
                    // A new port may change the bridge's MAC, which flushes its neighbours: put them back.
                    new LinkAction.ReplaceNeigh(NEIGH_A)), plan, reasons.get(i));
        }
    }

    @Test
    void detachedOrDownIsFixedInPlace() {
        LinkState s = state(List.of(with(42, "10.0.0.1", 4789, 1450, null, false, "berth:blue", false)),
                DESIRED.fdb(), List.of());
        assertEquals(List.of(new LinkAction.SetMaster("bv42", "bb1"), new LinkAction.SetUp("bv42"),
                new LinkAction.ReplaceNeigh(NEIGH_A)), OverlayPlanner.plan(DESIRED, s));
    }

    @Test
    void enslavedToAnotherBridgeIsMoved() {
        LinkState s = state(List.of(with(42, "10.0.0.1", 4789, 1450, "bbother", true, "berth:blue", false)),
                DESIRED.fdb(), DESIRED.neighbours());
        assertEquals(List.of(new LinkAction.SetMaster("bv42", "bb1"), new LinkAction.ReplaceNeigh(NEIGH_A)),
                OverlayPlanner.plan(DESIRED, s));
    }

    @Test
    void missingEntriesAreAddedFloodByAppendUnicastByReplace() {
        LinkState s = state(List.of(DEV), List.of(FLOOD_A), DESIRED.neighbours());
        assertEquals(List.of(new LinkAction.AppendFdb(FLOOD_B), new LinkAction.ReplaceFdb(MAC_A)),
                OverlayPlanner.plan(DESIRED, s));
    }

    @Test
    void entriesNotDeclaredAreDeletedBeforeAdds() {
        FdbEntry moved = new FdbEntry("02:42:0a:14:02:05", "bv42", "10.0.0.3");
        NeighEntry stale = new NeighEntry("10.20.2.9", "02:42:0a:14:02:09", "bb1");
        LinkState s = state(List.of(DEV), List.of(FLOOD_A, FLOOD_B, moved, FdbEntry.flood("bv42", "10.0.0.4")),
                List.of(NEIGH_A, stale));
        assertEquals(List.of(
                "delete neigh 10.20.2.9 lladdr 02:42:0a:14:02:09 dev bb1",
                "delete fdb 00:00:00:00:00:00 dev bv42 dst 10.0.0.4",
                "delete fdb 02:42:0a:14:02:05 dev bv42 dst 10.0.0.3",
                "replace fdb 02:42:0a:14:02:05 dev bv42 dst 10.0.0.2"), described(OverlayPlanner.plan(DESIRED, s)));
    }

    @Test
    void undeclaredBerthDeviceIsDeletedWithoutItsEntries() {
        VxlanDevice old = new VxlanDevice("bv7", 7, "10.0.0.1", 4789, 1450, "bb1", true, "berth:old");
        List<FdbEntry> fdb = new ArrayList<>(DESIRED.fdb());
        fdb.add(FdbEntry.flood("bv7", "10.0.0.2"));
        LinkState s = state(List.of(DEV, old), fdb, DESIRED.neighbours());
        assertEquals(List.of(new LinkAction.DeleteLink("bv7", "not declared"), new LinkAction.ReplaceNeigh(NEIGH_A)),
                OverlayPlanner.plan(DESIRED, s));
    }

    @Test
    void foreignDevicesAndTheirEntriesNeverAppearInADelete() {
        VxlanDevice noAlias = new VxlanDevice("bv8", 8, "10.0.0.1", 4789, 1450, "bbf", true, null);
        VxlanDevice otherPrefix = new VxlanDevice("vx9", 9, "10.0.0.1", 4789, 1450, "bbf", true, "berth:x");
        LinkState s = state(List.of(noAlias, otherPrefix),
                List.of(FdbEntry.flood("bv8", "10.0.0.2"), FdbEntry.flood("vx9", "10.0.0.2")),
                List.of(new NeighEntry("10.9.9.9", "02:00:00:00:00:01", "bbf")));
        assertEquals(List.of(), OverlayPlanner.plan(OverlayDesired.empty(), s));
    }

    @Test
    void staleNeighbourOnABridgeLosingItsPortIsDeletedBeforeThePort() {
        NeighEntry stale = new NeighEntry("10.20.2.9", "02:42:0a:14:02:09", "bb1");
        LinkState s = state(List.of(DEV), DESIRED.fdb(), List.of(NEIGH_A, stale));
        assertEquals(List.of(new LinkAction.DeleteNeigh(NEIGH_A), new LinkAction.DeleteNeigh(stale),
                new LinkAction.DeleteLink("bv42", "not declared")), OverlayPlanner.plan(OverlayDesired.empty(), s));
    }

    @Test
    void deletesComeBeforeCreatesAndEntries() {
        VxlanDevice old = new VxlanDevice("bv7", 7, "10.0.0.1", 4789, 1450, "bb1", true, "berth:old");
        List<LinkAction> plan = OverlayPlanner.plan(DESIRED, state(List.of(old), List.of(), List.of()));
        assertEquals(List.of("delete link bv7 (not declared)"), described(plan.subList(0, 1)));
        assertTrue(plan.get(1) instanceof LinkAction.CreateVxlan);
    }

    @Test
    void desiredThatWouldNotReadBackAsBerthsIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new OverlayDesired(
                List.of(new VxlanDevice("vx42", 42, "10.0.0.1", 4789, 1450, "bb1", true, "berth:a")), List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new OverlayDesired(
                List.of(new VxlanDevice("bv42", 42, "10.0.0.1", 4789, 1450, "bb1", true, "blue")), List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new OverlayDesired(
                List.of(new VxlanDevice("bv16777216", 16777216, "10.0.0.1", 4789, 1450, "bb1", true, "berth:a")),
                List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new OverlayDesired(List.of(DEV),
                List.of(FdbEntry.flood("bv43", "10.0.0.2")), List.of()));
    }

    @Test
    void upperCaseMacsCompareEqualToKernelOutput() {
        OverlayDesired upper = new OverlayDesired(List.of(DEV),
                List.of(FLOOD_A, FLOOD_B, new FdbEntry("02:42:0A:14:02:05", "bv42", "10.0.0.2")),
                List.of(new NeighEntry("10.20.2.5", "02:42:0A:14:02:05", "bb1")));
        assertEquals(List.of(), OverlayPlanner.plan(upper, converged()));
    }
}
