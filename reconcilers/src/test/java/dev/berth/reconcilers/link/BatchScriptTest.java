package dev.berth.reconcilers.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BatchScriptTest {
    private static final VxlanDevice DEV = new VxlanDevice("bv42", 42, "10.0.0.1", 4789, 1450, "bb1", true, "berth:blue");
    private static final FdbEntry FLOOD = FdbEntry.flood("bv42", "10.0.0.2");
    private static final NeighEntry NEIGH = new NeighEntry("10.20.2.5", "02:42:0a:14:02:05", "bb1");
    private static final List<LinkAction> PASS = List.of(
            new LinkAction.DeleteLink("bv7", "not declared"),
            new LinkAction.CreateVxlan(DEV),
            new LinkAction.DeleteFdb(new FdbEntry("02:42:0a:14:02:09", "bv42", "10.0.0.3")),
            new LinkAction.AppendFdb(FLOOD),
            new LinkAction.ReplaceFdb(new FdbEntry("02:42:0a:14:02:05", "bv42", "10.0.0.2")),
            new LinkAction.ReplaceNeigh(NEIGH),
            new LinkAction.DeleteNeigh(NEIGH));

    @Test
    void ipScriptHasLinksAndNeighboursWithMarkers() {
        String m = BatchScript.MARKER;
        assertEquals(List.of(
                "link del bv7", m,
                "link add bv42 type vxlan id 42 local 10.0.0.1 dstport 4789 nolearning",
                "link set bv42 mtu 1450",
                "link set bv42 alias \"berth:blue\"",
                "link set bv42 master bb1",
                "link set bv42 up", m,
                "neigh replace 10.20.2.5 lladdr 02:42:0a:14:02:05 dev bb1 nud permanent", m,
                "neigh del 10.20.2.5 dev bb1", m), BatchScript.ip(PASS).lines());
    }

    @Test
    void bridgeScriptHasFdbEntriesOnly() {
        assertEquals(List.of(
                "fdb del 02:42:0a:14:02:09 dev bv42 dst 10.0.0.3 self",
                "fdb append 00:00:00:00:00:00 dev bv42 dst 10.0.0.2 self permanent",
                "fdb replace 02:42:0a:14:02:05 dev bv42 dst 10.0.0.2 self permanent"), BatchScript.bridge(PASS).lines());
    }

    @Test
    void failedLineMapsToItsAction() {
        BatchScript ip = BatchScript.ip(PASS);
        // Line 5 is "link set bv42 alias …", part of the create.
        assertEquals(Optional.of(PASS.get(1)), ip.failedAction("", "Cannot find device\nCommand failed -:5\n"));
        assertEquals(List.of(PASS.get(0)), ip.before(PASS.get(1)));
        BatchScript bridge = BatchScript.bridge(PASS);
        assertEquals(Optional.of(PASS.get(3)), bridge.failedAction("", "RTNETLINK answers: x\nCommand failed -:2\n"));
    }

    @Test
    void withoutALineNumberTheMarkersCount() {
        BatchScript ip = BatchScript.ip(PASS);
        String lo = "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN\n    link/loopback 00:00:00:00:00:00\n";
        assertEquals(Optional.of(PASS.get(6)),
                ip.failedAction(lo + lo + lo, "RTNETLINK answers: No such file or directory\n"));
        assertEquals(Optional.empty(), BatchScript.bridge(PASS).failedAction("", "something odd\n"));
    }

    @Test
    void valuesThatCouldInjectALineAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> BatchScript.bridge(
                List.of(new LinkAction.AppendFdb(FdbEntry.flood("bv42", "10.0.0.2\nlink del eth0")))));
        assertThrows(IllegalArgumentException.class, () -> BatchScript.ip(List.of(new LinkAction.CreateVxlan(
                new VxlanDevice("bv42", 42, "10.0.0.1", 4789, 1450, "bb1", true, "berth:a\" up")))));
        assertThrows(IllegalArgumentException.class, () -> BatchScript.ip(
                List.of(new LinkAction.SetMaster("bv42", "bb1 nomaster"))));
    }
}
