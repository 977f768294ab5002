package dev.berth.reconcilers.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Against JSON as iproute2 6.1 prints it (trimmed), including foreign links and entries. */
class LinkStateParserTest {
    private static final String LINKS = """
            [{"ifname":"lo","flags":["LOOPBACK"],"mtu":65536},
             {"ifname":"bbx1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1400,
              "linkinfo":{"info_kind":"bridge","info_data":{"stp_state":0}}},
             {"ifname":"bv42","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1400,"master":"bbx1",
              "operstate":"UNKNOWN","linkinfo":{"info_kind":"vxlan","info_data":{"id":42,"local":"10.9.0.1",
              "port":4789,"learning":false},"info_slave_kind":"bridge"},"ifalias":"berth:net/a"},
             {"ifname":"bv43","flags":["BROADCAST","MULTICAST"],"mtu":1450,"operstate":"DOWN",
              "linkinfo":{"info_kind":"vxlan","info_data":{"id":43,"port":4789,"learning":true}}},
             {"ifname":"vx44","flags":["BROADCAST","MULTICAST"],"mtu":1450,
              "linkinfo":{"info_kind":"vxlan","info_data":{"id":44,"port":4789,"learning":false}},"ifalias":"berth:x"},
             {"ifname":"bv45","flags":["BROADCAST","MULTICAST"],"mtu":1450,"master":"bbx2",
              "linkinfo":{"info_kind":"vxlan","info_data":{"id":45,"port":4789,"learning":true}},"ifalias":"berth:y"}]
            """;
    private static final String FDB = """
            [{"mac":"33:33:00:00:00:01","ifname":"bbx1","flags":["self"],"state":"permanent"},
             {"mac":"0a:e4:53:05:83:25","ifname":"bv42","flags":[],"master":"bbx1","state":"permanent"},
             {"mac":"02:42:0a:00:00:0a","ifname":"bv42","dst":"10.9.0.2","flags":["self"],"state":""},
             {"mac":"02:42:0a:00:00:05","ifname":"bv42","dst":"10.9.0.2","flags":["self"],"state":"permanent"},
             {"mac":"00:00:00:00:00:00","ifname":"bv42","dst":"10.9.0.2","flags":["self"],"state":"permanent"},
             {"mac":"00:00:00:00:00:00","ifname":"bv43","dst":"10.9.0.7","flags":["self"],"state":"permanent"}]
            """;
    private static final String NEIGH = """
            [{"dst":"10.20.1.5","dev":"bbx1","lladdr":"02:42:0a:00:00:05","state":["PERMANENT"]},
             {"dst":"10.30.1.5","dev":"docker0","lladdr":"02:42:0a:00:00:06","state":["PERMANENT"]}]
            """;

    @Test
    void onlyBerthsDevicesAndTheirPermanentSelfEntries() {
        LinkState s = new LinkStateParser().parse(LINKS, FDB, NEIGH);
        assertEquals(List.of(
                new VxlanDevice("bv42", 42, "10.9.0.1", 4789, 1400, "bbx1", true, "berth:net/a"),
                new VxlanDevice("bv45", 45, null, 4789, 1450, "bbx2", false, "berth:y", true)), s.devices());
        assertEquals(Map.of("bbx1", new BridgeInfo("bbx1", 1400, true)), s.bridges());
        assertEquals(List.of(new FdbEntry("02:42:0a:00:00:05", "bv42", "10.9.0.2"), FdbEntry.flood("bv42", "10.9.0.2")),
                s.fdb());
        assertEquals(List.of(new NeighEntry("10.20.1.5", "02:42:0a:00:00:05", "bbx1")), s.neighbours());
    }

    @Test
    void emptyOutputIsEmptyAndGarbageIsAnError() {
        assertEquals(LinkState.empty(), new LinkStateParser().parse("[]", "", "\n"));
        assertThrows(LinkDriverException.class, () -> new LinkStateParser().parse("{", "[]", "[]"));
    }
}
