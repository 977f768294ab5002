package dev.berth.reconcilers.link;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Against lines as iproute2 6.1's {@code ip -4 -o monitor label link neigh} and {@code bridge monitor fdb} print them. */
class KernelEventTest {
    @Test
    void linkLinesNameTheirDeviceAndSayWhetherItWent() {
        assertEquals(Optional.of(new KernelEvent(KernelEvent.Kind.LINK, "bv777", false)), KernelEvent.ipMonitor(
                "[LINK]3: bv777: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue master bb777 state DOWN group default "
                        + "\\    link/ether ca:86:c8:9e:6e:3f brd ff:ff:ff:ff:ff:ff"));
        assertEquals(Optional.of(new KernelEvent(KernelEvent.Kind.LINK, "bv777", true)), KernelEvent.ipMonitor(
                "[LINK]Deleted 3: bv777: <BROADCAST,MULTICAST> mtu 1500 master bb777 state DOWN \\    link/ether ca:86:c8:9e:6e:3f"));
        assertEquals(Optional.of(new KernelEvent(KernelEvent.Kind.LINK, "bb777", false)), KernelEvent.ipMonitor(
                "[LINK]2: bb777: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN group default "
                        + "event FEATURE CHANGE \\    link/ether c2:ed:86:e8:5d:a7 brd ff:ff:ff:ff:ff:ff"));
        // A veth names its peer after '@'; the device is the part before it.
        assertEquals(Optional.of(new KernelEvent(KernelEvent.Kind.LINK, "veth1a2b3c", false)), KernelEvent.ipMonitor(
                "[LINK]12: veth1a2b3c@if11: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue master bb777 "
                        + "state UP group default \\    link/ether 7e:1f:aa:00:00:01 brd ff:ff:ff:ff:ff:ff link-netnsid 0"));
    }

    @Test
    void onlyPermanentNeighboursAndTheirDeletionCount() {
        assertEquals(Optional.of(new KernelEvent(KernelEvent.Kind.NEIGH, "bb777", false)),
                KernelEvent.ipMonitor("[NEIGH]10.9.0.5 dev bb777 lladdr 02:42:0a:00:00:05 PERMANENT "));
        // Deleting a permanent entry reports it FAILED, then deleted in that state.
        assertEquals(Optional.of(new KernelEvent(KernelEvent.Kind.NEIGH, "bb777", false)),
                KernelEvent.ipMonitor("[NEIGH]10.9.0.5 dev bb777 FAILED "));
        assertEquals(Optional.of(new KernelEvent(KernelEvent.Kind.NEIGH, "bb777", true)),
                KernelEvent.ipMonitor("[NEIGH]Deleted 10.9.0.5 dev bb777 FAILED "));
        // ARP traffic and multicast entries are not Berth's.
        for (String line : List.of("[NEIGH]10.9.0.7 dev bb777 lladdr 02:42:0a:00:00:07 REACHABLE ",
                "[NEIGH]10.9.0.7 dev bb777 lladdr 02:42:0a:00:00:07 STALE ",
                "[NEIGH]Deleted 224.0.0.22 dev bb777 lladdr 01:00:5e:00:00:16 NOARP ",
                "[ADDR]2: ul0    inet 10.0.0.1/24 scope global ul0",
                "")) {
            assertEquals(Optional.empty(), KernelEvent.ipMonitor(line), line);
        }
    }

    @Test
    void onlyTheDevicesOwnFdbEntriesCount() {
        assertEquals(Optional.of(new KernelEvent(KernelEvent.Kind.FDB, "bv777", false,
                        Optional.of(FdbEntry.flood("bv777", "10.250.0.2")))),
                KernelEvent.bridgeMonitor("00:00:00:00:00:00 dev bv777 dst 10.250.0.2 self permanent"));
        assertEquals(Optional.of(new KernelEvent(KernelEvent.Kind.FDB, "bv777", true,
                        Optional.of(FdbEntry.flood("bv777", "10.250.0.2")))),
                KernelEvent.bridgeMonitor("Deleted 00:00:00:00:00:00 dev bv777 dst 10.250.0.2 self permanent"));
        assertEquals(Optional.of(new KernelEvent(KernelEvent.Kind.FDB, "bv777", true,
                        Optional.of(new FdbEntry("02:42:0a:00:00:05", "bv777", "10.250.0.2")))),
                KernelEvent.bridgeMonitor("Deleted 02:42:0A:00:00:05 dev bv777 dst 10.250.0.2 self permanent"));
        // Entries Berth never writes (no destination, another port or VNI, not permanent) are still the device's
        // change, but name no entry: none of them can pass for the echo of Berth's own.
        for (String line : List.of("02:42:0a:00:00:05 dev bv777 self permanent",
                "00:00:00:00:00:00 dev bv777 dst 10.250.0.2 port 4790 self permanent",
                "00:00:00:00:00:00 dev bv777 dst 10.250.0.2 vni 9 self permanent",
                "00:00:00:00:00:00 dev bv777 dst 10.250.0.2 self ")) {
            assertEquals(Optional.of(new KernelEvent(KernelEvent.Kind.FDB, "bv777", false)),
                    KernelEvent.bridgeMonitor(line), line);
        }
        // The bridge's entries (learned, its ports' own MACs) churn with traffic.
        for (String line : List.of("ca:86:c8:9e:6e:3f dev bv777 master bb777 permanent",
                "Deleted c2:ed:86:e8:5d:a7 dev bb777 master bb777 permanent",
                "02:42:0a:00:00:09 dev veth1a2b3c master bb777 ",
                "")) {
            assertEquals(Optional.empty(), KernelEvent.bridgeMonitor(line), line);
        }
    }

    @Test
    void commandsRunInTheNamespaceWhenThereIsOne() {
        assertEquals(List.of("ip", "-n", "ns1", "-4", "-o", "monitor", "label", "link", "neigh"),
                KernelEvent.ipMonitorCommand(Optional.of("ns1")));
        assertEquals(List.of("bridge", "monitor", "fdb"), KernelEvent.bridgeMonitorCommand(Optional.empty()));
    }
}
