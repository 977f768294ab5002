package dev.berth.reconcilers.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real driver against real VXLAN devices, bridges and FDB entries, each test in its own namespace. */
class IpRouteDriverNetnsTest {
    private static final String LOCAL = "10.99.0.1";
    private static final String PEER_A = "10.99.0.2";
    private static final String PEER_B = "10.99.0.3";
    private static final String MAC_A = "02:42:0a:14:02:05";

    private Netns ns;
    private String br;
    private IpRouteDriver driver;

    @BeforeEach
    void setUp() {
        ns = Netns.create();
        br = ns.bridge();
        driver = new IpRouteDriver(Optional.of(ns.name));
    }

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    private VxlanDevice device(int vni, String master) {
        return new VxlanDevice("bv" + vni, vni, LOCAL, 4789, 1450, master, true, "berth:net-" + vni);
    }

    private OverlayDesired twoPeers(VxlanDevice d, String bridge) {
        return new OverlayDesired(List.of(d),
                List.of(FdbEntry.flood(d.name(), PEER_A), FdbEntry.flood(d.name(), PEER_B),
                        new FdbEntry(MAC_A, d.name(), PEER_A)),
                List.of(new NeighEntry("10.20.2.5", MAC_A, bridge)));
    }

    /** Plans, applies, and checks that a second pass has nothing left to do. */
    private LinkState converge(OverlayDesired desired) {
        driver.apply(OverlayPlanner.plan(desired, driver.read()));
        LinkState state = driver.read();
        assertEquals(List.of(), OverlayPlanner.plan(desired, state), "second pass must be empty");
        assertMatches(desired, state);
        return state;
    }

    private static void assertMatches(OverlayDesired desired, LinkState state) {
        assertEquals(Set.copyOf(desired.devices()), Set.copyOf(state.devices()));
        assertEquals(Set.copyOf(desired.fdb()), Set.copyOf(state.fdb()));
        assertEquals(Set.copyOf(desired.neighbours()), Set.copyOf(state.neighbours()));
    }

    /** Repairs drift with one plan+apply, returns what the plan was. */
    private List<LinkAction> repair(OverlayDesired desired) {
        List<LinkAction> plan = OverlayPlanner.plan(desired, driver.read());
        assertFalse(plan.isEmpty(), "drift must be seen");
        driver.apply(plan);
        LinkState state = driver.read();
        assertMatches(desired, state);
        assertEquals(List.of(), OverlayPlanner.plan(desired, state));
        return plan;
    }

    @Test
    void createFromEmptyReadsBackAsDesired() {
        VxlanDevice d = device(4242, br);
        OverlayDesired desired = twoPeers(d, br);
        assertEquals(List.of(), driver.read().devices());
        LinkState state = converge(desired);
        assertEquals(List.of(d), state.devices());
        assertTrue(state.bridges().containsKey(br));
        String details = ns.ip("-d", "link", "show", "bv4242");
        assertTrue(details.contains("nolearning"), details);
        assertTrue(details.contains("alias berth:net-4242"), details);
    }

    @Test
    void deletedDeviceIsRecreatedWithAllItsEntries() {
        OverlayDesired desired = twoPeers(device(4242, br), br);
        converge(desired);
        ns.ip("link", "del", "bv4242");
        List<LinkAction> plan = repair(desired);
        assertInstanceOf(LinkAction.CreateVxlan.class, plan.get(0));
    }

    @Test
    void removedFdbEntryIsPutBack() {
        OverlayDesired desired = twoPeers(device(4242, br), br);
        converge(desired);
        ns.bridgeCmd("fdb", "del", FdbEntry.FLOOD_MAC, "dev", "bv4242", "dst", PEER_B, "self");
        assertEquals(List.of(new LinkAction.AppendFdb(FdbEntry.flood("bv4242", PEER_B))), repair(desired));
    }

    @Test
    void removedNeighbourIsPutBack() {
        OverlayDesired desired = twoPeers(device(4242, br), br);
        converge(desired);
        ns.ip("neigh", "del", "10.20.2.5", "dev", br);
        assertEquals(List.of(new LinkAction.ReplaceNeigh(desired.neighbours().get(0))), repair(desired));
    }

    @Test
    void detachedDeviceIsEnslavedAgain() {
        OverlayDesired desired = twoPeers(device(4242, br), br);
        converge(desired);
        ns.ip("link", "set", "bv4242", "nomaster");
        List<LinkAction> plan = repair(desired);
        assertEquals(new LinkAction.SetMaster("bv4242", br), plan.get(0));
    }

    @Test
    void downDeviceIsSetUp() {
        OverlayDesired desired = twoPeers(device(4242, br), br);
        converge(desired);
        ns.ip("link", "set", "bv4242", "down");
        assertEquals(List.of(new LinkAction.SetUp("bv4242")), repair(desired));
    }

    @Test
    void deviceWithWrongDstPortIsRecreated() {
        OverlayDesired desired = twoPeers(device(4242, br), br);
        converge(desired);
        // Someone builds the device by hand with the right alias but another port.
        ns.ip("link", "del", "bv4242");
        ns.ip("link", "add", "bv4242", "type", "vxlan", "id", "4242", "local", LOCAL, "dstport", "8472", "nolearning");
        ns.ip("link", "set", "bv4242", "alias", "berth:net-4242");
        List<LinkAction> plan = repair(desired);
        assertInstanceOf(LinkAction.DeleteLink.class, plan.get(0));
        assertTrue(plan.get(0).describe().contains("dstport 8472→4789"), plan.get(0).describe());
        assertInstanceOf(LinkAction.CreateVxlan.class, plan.get(1));
    }

    @Test
    void deviceWithLearningTurnedOnIsRecreated() {
        OverlayDesired desired = twoPeers(device(4242, br), br);
        converge(desired);
        ns.ip("link", "set", "bv4242", "type", "vxlan", "learning");
        assertTrue(driver.read().devices().get(0).learning());
        List<LinkAction> plan = repair(desired);
        assertTrue(plan.get(0).describe().contains("learning on"), plan.get(0).describe());
    }

    @Test
    void removedPeerLosesItsEntries() {
        VxlanDevice d = device(4242, br);
        converge(twoPeers(d, br));
        OverlayDesired onlyA = new OverlayDesired(List.of(d),
                List.of(FdbEntry.flood(d.name(), PEER_A), new FdbEntry(MAC_A, d.name(), PEER_A)),
                List.of(new NeighEntry("10.20.2.5", MAC_A, br)));
        assertEquals(List.of(new LinkAction.DeleteFdb(FdbEntry.flood(d.name(), PEER_B))), repair(onlyA));
        assertFalse(ns.bridgeCmd("fdb", "show", "dev", "bv4242").contains(PEER_B));
    }

    @Test
    void foreignDevicesAndEntriesAreNeverReadNorDeleted() {
        converge(twoPeers(device(4242, br), br));
        String foreignBr = ns.bridge();
        // Berth's prefix, no alias.
        ns.ip("link", "add", "bv77", "type", "vxlan", "id", "77", "dstport", "4789", "nolearning");
        // On the foreign bridge: a port joining Berth's bridge may change that bridge's MAC, and the kernel then
        // flushes its neighbours (the planner copes; this test wants a stable starting point).
        ns.ip("link", "set", "bv77", "master", foreignBr);
        ns.bridgeCmd("fdb", "append", FdbEntry.FLOOD_MAC, "dev", "bv77", "dst", "10.99.0.77", "self", "permanent");
        // Berth's alias, another prefix.
        ns.ip("link", "add", "vx78", "type", "vxlan", "id", "78", "dstport", "4789");
        ns.ip("link", "set", "vx78", "alias", "berth:net-78");
        // Berth's prefix, someone else's alias.
        ns.ip("link", "add", "bv79", "type", "vxlan", "id", "79", "dstport", "4789");
        ns.ip("link", "set", "bv79", "alias", "other:thing");
        // A learned (not permanent) entry on Berth's own device, and a permanent neighbour on a foreign bridge.
        ns.bridgeCmd("fdb", "add", "02:42:0a:14:09:09", "dev", "bv4242", "dst", "10.99.0.9", "self", "dynamic");
        ns.ip("neigh", "replace", "10.30.0.9", "lladdr", "02:42:0a:1e:00:09", "dev", foreignBr, "nud", "permanent");

        LinkState state = driver.read();
        assertEquals(Set.of("bv4242"), state.devices().stream().map(VxlanDevice::name).collect(Collectors.toSet()));
        assertTrue(state.fdb().stream().allMatch(e -> e.device().equals("bv4242")), state.fdb().toString());
        assertFalse(state.fdb().stream().anyMatch(e -> e.mac().equals("02:42:0a:14:09:09")), state.fdb().toString());
        assertFalse(state.neighbours().stream().anyMatch(n -> n.device().equals(foreignBr)));

        // Nothing declared: only Berth's device and its neighbour may go.
        List<LinkAction> plan = OverlayPlanner.plan(OverlayDesired.empty(), state);
        assertEquals(List.of(new LinkAction.DeleteNeigh(new NeighEntry("10.20.2.5", MAC_A, br)),
                new LinkAction.DeleteLink("bv4242", "not declared")), plan);
        driver.apply(plan);

        Set<String> left = linkNames(ns.ip("-o", "link", "show"));
        assertTrue(left.containsAll(Set.of("bv77", "vx78", "bv79", br, foreignBr)), left.toString());
        assertFalse(left.contains("bv4242"));
        assertTrue(ns.bridgeCmd("fdb", "show", "dev", "bv77").contains("dst 10.99.0.77 self permanent"));
        assertTrue(ns.ip("neigh", "show", "dev", foreignBr).contains("10.30.0.9"));
        assertEquals(LinkState.empty().devices(), driver.read().devices());
    }

    @Test
    void twoDevicesWithDifferentVnis() {
        String br2 = ns.bridge();
        VxlanDevice blue = device(100, br);
        VxlanDevice red = new VxlanDevice("bv200", 200, LOCAL, 8472, 1400, br2, true, "berth:red");
        OverlayDesired both = new OverlayDesired(List.of(blue, red),
                List.of(FdbEntry.flood("bv100", PEER_A), FdbEntry.flood("bv100", PEER_B), FdbEntry.flood("bv200", PEER_B)),
                List.of(new NeighEntry("10.20.2.5", MAC_A, br), new NeighEntry("10.40.3.7", "02:42:0a:28:03:07", br2)));
        converge(both);

        OverlayDesired blueOnly = new OverlayDesired(List.of(blue),
                List.of(FdbEntry.flood("bv100", PEER_A), FdbEntry.flood("bv100", PEER_B)),
                List.of(new NeighEntry("10.20.2.5", MAC_A, br)));
        List<LinkAction> plan = OverlayPlanner.plan(blueOnly, driver.read());
        // bv200 goes and its entries with it; its bridge's neighbour is cleaned first, while bv200 still makes it Berth's.
        assertEquals(List.of(new LinkAction.DeleteNeigh(new NeighEntry("10.40.3.7", "02:42:0a:28:03:07", br2)),
                new LinkAction.DeleteLink("bv200", "not declared")), plan);
        driver.apply(plan);
        assertMatches(blueOnly, driver.read());
        assertTrue(linkNames(ns.ip("-o", "link", "show")).contains(br2), "the bridge is never Berth's to delete");
    }

    @Test
    void failingIpBatchNamesTheAction() {
        VxlanDevice ok = device(100, br);
        VxlanDevice bad = device(200, "bbnosuch1");
        List<LinkAction> plan = OverlayPlanner.plan(new OverlayDesired(List.of(ok, bad), List.of(), List.of()),
                driver.read());
        LinkActionException e = assertThrows(LinkActionException.class, () -> driver.apply(plan));
        assertEquals(new LinkAction.CreateVxlan(bad), e.action());
        assertTrue(e.getMessage().contains("create vxlan bv200"), e.getMessage());
        assertTrue(e.getMessage().contains("bbnosuch1"), e.getMessage());
        assertTrue(e.getMessage().contains("netns " + ns.name), e.getMessage());
        // bv100 came before the failing line and was made; the next pass repairs bv200 once the bridge exists.
        assertTrue(linkNames(ns.ip("-o", "link", "show")).contains("bv100"));
    }

    @Test
    void failingBridgeBatchNamesTheAction() {
        converge(twoPeers(device(4242, br), br));
        FdbEntry first = new FdbEntry("02:42:0a:14:02:06", "bv4242", PEER_A);
        FdbEntry absent = new FdbEntry("02:42:0a:14:02:99", "bv4242", PEER_A);
        FdbEntry third = new FdbEntry("02:42:0a:14:02:07", "bv4242", PEER_A);
        List<LinkAction> actions = List.of(new LinkAction.ReplaceFdb(first), new LinkAction.DeleteFdb(absent),
                new LinkAction.ReplaceFdb(third));
        LinkActionException e = assertThrows(LinkActionException.class, () -> driver.apply(actions));
        assertEquals(new LinkAction.DeleteFdb(absent), e.action());
        Set<FdbEntry> fdb = new HashSet<>(driver.read().fdb());
        assertTrue(fdb.contains(first));
        assertFalse(fdb.contains(third), "the batch stops at the failing line");
        // The kept bridge process stopped with the batch; the next batch gets a new one and works.
        driver.apply(List.of(new LinkAction.ReplaceFdb(third)));
        assertTrue(driver.read().fdb().contains(third));
    }

    @Test
    void failureInALaterBatchOfTheKeptProcessNamesItsOwnLine() {
        converge(twoPeers(device(4242, br), br));
        driver.apply(List.of(new LinkAction.ReplaceFdb(new FdbEntry("02:42:0a:14:02:06", "bv4242", PEER_A)),
                new LinkAction.ReplaceFdb(new FdbEntry("02:42:0a:14:02:07", "bv4242", PEER_A))));
        long pid = driver.bridgeSessionPid().orElseThrow();
        FdbEntry absent = new FdbEntry("02:42:0a:14:02:99", "bv4242", PEER_A);
        FdbEntry ok = new FdbEntry("02:42:0a:14:02:08", "bv4242", PEER_A);
        LinkActionException e = assertThrows(LinkActionException.class, () -> driver.apply(
                List.of(new LinkAction.ReplaceFdb(ok), new LinkAction.DeleteFdb(absent))));
        assertEquals(new LinkAction.DeleteFdb(absent), e.action(), e.getMessage());
        assertTrue(driver.read().fdb().contains(ok));
        assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "the failed process is gone");
    }

    @Test
    void fdbBatchesOfSeveralPassesGoToOneKeptBridgeProcess() {
        VxlanDevice d = device(4242, br);
        converge(twoPeers(d, br));
        long pid = driver.bridgeSessionPid().orElseThrow(() -> new AssertionError("no bridge process kept"));
        for (int i = 10; i < 15; i++) {
            FdbEntry peer = FdbEntry.flood(d.name(), "10.99.1." + i);
            driver.apply(List.of(new LinkAction.AppendFdb(peer)));
            assertTrue(driver.read().fdb().contains(peer), peer.toString());
            assertEquals(Optional.of(pid), driver.bridgeSessionPid());
        }
        driver.close();
        assertEquals(Optional.empty(), driver.bridgeSessionPid());
        assertTrue(ProcessHandle.of(pid).map(p -> p.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS)
                .thenApply(x -> true).join()).orElse(true), "bridge ended with its input");
    }

    @Test
    void aPassOfNeighboursAndEntriesKeepsTheProcess() {
        VxlanDevice d = device(4242, br);
        converge(twoPeers(d, br));
        long pid = driver.bridgeSessionPid().orElseThrow();
        // A unicast endpoint arriving: its neighbour (the ip batch) and its entry (the bridge batch).
        FdbEntry entry = new FdbEntry("02:42:0a:14:02:06", d.name(), PEER_B);
        NeighEntry neigh = new NeighEntry("10.20.2.6", "02:42:0a:14:02:06", br);
        driver.apply(List.of(new LinkAction.ReplaceNeigh(neigh), new LinkAction.ReplaceFdb(entry)));
        LinkState state = driver.read();
        assertTrue(state.fdb().contains(entry) && state.neighbours().contains(neigh), state.toString());
        assertEquals(Optional.of(pid), driver.bridgeSessionPid());
    }

    @Test
    void aNamespaceMadeAgainUnderTheSameNameGetsItsOwnProcess() {
        VxlanDevice d = device(4242, br);
        converge(twoPeers(d, br));
        long pid = driver.bridgeSessionPid().orElseThrow();
        ns.close();
        Netns.run(List.of("ip", "netns", "add", ns.name));
        br = ns.bridge();
        VxlanDevice again = device(4242, br);
        // The device made by another driver: this one's next batch is FDB lines only.
        try (IpRouteDriver other = new IpRouteDriver(Optional.of(ns.name))) {
            other.apply(List.of(new LinkAction.CreateVxlan(again)));
        }
        driver.apply(List.of(new LinkAction.AppendFdb(FdbEntry.flood(again.name(), PEER_B))));
        assertTrue(ns.bridgeCmd("fdb", "show", "dev", "bv4242").contains(PEER_B), "the entry is in the new namespace");
        assertTrue(driver.bridgeSessionPid().isPresent());
        assertFalse(driver.bridgeSessionPid().get() == pid, "a new process in the new namespace");
    }

    @Test
    void failingNeighbourIsNamedThoughIpExitsWithoutALineNumber() {
        converge(twoPeers(device(4242, br), br));
        NeighEntry first = new NeighEntry("10.20.2.6", "02:42:0a:14:02:06", br);
        NeighEntry absent = new NeighEntry("10.20.2.99", "02:42:0a:14:02:99", br);
        NeighEntry third = new NeighEntry("10.20.2.7", "02:42:0a:14:02:07", br);
        List<LinkAction> actions = List.of(new LinkAction.ReplaceNeigh(first), new LinkAction.DeleteNeigh(absent),
                new LinkAction.ReplaceNeigh(third));
        LinkActionException e = assertThrows(LinkActionException.class, () -> driver.apply(actions));
        assertEquals(new LinkAction.DeleteNeigh(absent), e.action());
        Set<NeighEntry> neigh = new HashSet<>(driver.read().neighbours());
        assertTrue(neigh.contains(first));
        assertFalse(neigh.contains(third));
    }

    @Test
    void namespacedDriverNeverTouchesTheRootNamespace() {
        Set<String> before = berthLike(linkNames(Netns.run(List.of("ip", "-o", "link", "show"))));
        OverlayDesired desired = twoPeers(device(4242, br), br);
        converge(desired);
        ns.ip("link", "del", "bv4242");
        repair(desired);
        driver.apply(OverlayPlanner.plan(OverlayDesired.empty(), driver.read()));
        Set<String> after = linkNames(Netns.run(List.of("ip", "-o", "link", "show")));
        assertEquals(before, berthLike(after));
        assertFalse(after.contains(br));
        assertFalse(after.contains("bv4242"));
    }

    /** Names from {@code ip -o link show} ("3: bv42@NONE: <...>" → "bv42"). */
    static Set<String> linkNames(String oneline) {
        return Arrays.stream(oneline.split("\n")).filter(l -> l.contains(": "))
                .map(l -> l.split(": ", 3)[1].split("@")[0]).collect(Collectors.toSet());
    }

    /** Root-namespace links this test could have made; other tests and dockerd may change the rest concurrently. */
    private Set<String> berthLike(Set<String> names) {
        return names.stream().filter(n -> n.startsWith("bv") || n.startsWith("bb") || n.equals(br))
                .collect(Collectors.toSet());
    }
}
