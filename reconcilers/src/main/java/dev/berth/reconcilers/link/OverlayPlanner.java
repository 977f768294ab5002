package dev.berth.reconcilers.link;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Desired + actual kernel state → actions, with no I/O. Flannel's ensure-or-recreate: a device whose identity
 * (vni, local, dstport, mtu, nolearning, alias) differs is deleted and created again with all its FDB entries, since
 * the kernel cannot change most of these in place; master and up are fixed in place.
 *
 * <p>Order: neighbour deletes, device deletes, device creates and fixes, FDB deletes, FDB adds, neighbour adds.
 * Deletes come first so a replaced unicast entry or a recreated device never collides with its old self. Neighbour
 * deletes come before the device step because adding or removing a bridge port can change the bridge's MAC, and the
 * kernel then flushes every neighbour on it, permanent ones included: a later delete would fail on a missing entry.
 * For the same reason every declared neighbour on a bridge whose ports change in this pass is replaced again.
 */
public final class OverlayPlanner {
    private static final Comparator<FdbEntry> FDB_ORDER = Comparator.comparing(FdbEntry::device)
            .thenComparing(FdbEntry::mac).thenComparing(e -> Objects.toString(e.dst(), ""));
    private static final Comparator<NeighEntry> NEIGH_ORDER = Comparator.comparing(NeighEntry::device)
            .thenComparing(NeighEntry::ip).thenComparing(NeighEntry::mac);

    private OverlayPlanner() {
    }

    public static List<LinkAction> plan(OverlayDesired desired, LinkState actual) {
        // The driver already filters by ownership; filtering again means a wrong LinkState can never delete a
        // foreign device or its entries.
        Map<String, VxlanDevice> ours = actual.devices().stream().filter(LinkOwnership::isBerths)
                .collect(Collectors.toMap(VxlanDevice::name, Function.identity(), (a, b) -> a, TreeMap::new));
        Map<String, VxlanDevice> wanted = desired.devices().stream()
                .collect(Collectors.toMap(VxlanDevice::name, Function.identity(), (a, b) -> a, TreeMap::new));

        List<LinkAction> deleteDevices = new ArrayList<>();
        List<LinkAction> fixDevices = new ArrayList<>();
        // Devices that will have no entries left after the device step: their old entries need no delete, and
        // every declared entry must be added again.
        Set<String> fresh = new HashSet<>();
        // Bridges that gain or lose a port in this pass (see the class comment).
        Set<String> portsChange = new HashSet<>();

        for (VxlanDevice a : ours.values()) {
            if (!wanted.containsKey(a.name())) {
                deleteDevices.add(new LinkAction.DeleteLink(a.name(), "not declared"));
                fresh.add(a.name());
                addIfSet(portsChange, a.master());
            }
        }
        for (VxlanDevice d : wanted.values()) {
            VxlanDevice a = ours.get(d.name());
            if (a == null) {
                fixDevices.add(new LinkAction.CreateVxlan(d));
                fresh.add(d.name());
                addIfSet(portsChange, d.master());
                continue;
            }
            String differs = differences(d, a);
            if (!differs.isEmpty()) {
                deleteDevices.add(new LinkAction.DeleteLink(a.name(), differs));
                fixDevices.add(new LinkAction.CreateVxlan(d));
                fresh.add(d.name());
                addIfSet(portsChange, a.master());
                addIfSet(portsChange, d.master());
                continue;
            }
            if (d.master() != null && !d.master().equals(a.master())) {
                fixDevices.add(new LinkAction.SetMaster(d.name(), d.master()));
                addIfSet(portsChange, a.master());
                addIfSet(portsChange, d.master());
            }
            if (d.up() && !a.up()) {
                fixDevices.add(new LinkAction.SetUp(d.name()));
            }
        }

        List<LinkAction> out = new ArrayList<>(neighDeletes(desired, actual, ours));
        out.addAll(deleteDevices);
        out.addAll(fixDevices);
        out.addAll(fdbDeletes(desired, actual, ours, fresh));
        out.addAll(fdbAdds(desired, actual, fresh));
        out.addAll(neighAdds(desired, actual, portsChange));
        return List.copyOf(out);
    }

    private static void addIfSet(Set<String> set, String value) {
        if (value != null) {
            set.add(value);
        }
    }

    /** Empty when the device can be kept; otherwise what differs, for the delete's reason. */
    static String differences(VxlanDevice want, VxlanDevice have) {
        List<String> d = new ArrayList<>();
        if (want.vni() != have.vni()) {
            d.add("vni " + have.vni() + "→" + want.vni());
        }
        if (!Objects.equals(want.local(), have.local())) {
            d.add("local " + have.local() + "→" + want.local());
        }
        if (want.dstPort() != have.dstPort()) {
            d.add("dstport " + have.dstPort() + "→" + want.dstPort());
        }
        if (want.mtu() != have.mtu()) {
            d.add("mtu " + have.mtu() + "→" + want.mtu());
        }
        if (have.learning()) {
            d.add("learning on");
        }
        if (!Objects.equals(want.alias(), have.alias())) {
            d.add("alias " + have.alias() + "→" + want.alias());
        }
        return String.join(", ", d);
    }

    private static List<LinkAction> fdbDeletes(OverlayDesired desired, LinkState actual, Map<String, VxlanDevice> ours,
                                               Set<String> fresh) {
        Set<FdbEntry> want = new HashSet<>(desired.fdb());
        return actual.fdb().stream()
                .filter(e -> ours.containsKey(e.device()) && !fresh.contains(e.device()) && !want.contains(e))
                .distinct().sorted(FDB_ORDER)
                .map(e -> (LinkAction) new LinkAction.DeleteFdb(e)).toList();
    }

    private static List<LinkAction> neighDeletes(OverlayDesired desired, LinkState actual,
                                                 Map<String, VxlanDevice> ours) {
        // Neighbours live on the bridge; only bridges a Berth device is enslaved to are Berth's to clean.
        Set<String> ourBridges = ours.values().stream().map(VxlanDevice::master).filter(Objects::nonNull)
                .collect(Collectors.toSet());
        Set<NeighEntry> want = new HashSet<>(desired.neighbours());
        return actual.neighbours().stream()
                .filter(n -> ourBridges.contains(n.device()) && !want.contains(n))
                .distinct().sorted(NEIGH_ORDER)
                .map(n -> (LinkAction) new LinkAction.DeleteNeigh(n)).toList();
    }

    private static List<LinkAction> fdbAdds(OverlayDesired desired, LinkState actual, Set<String> fresh) {
        Set<FdbEntry> have = new HashSet<>(actual.fdb());
        return new LinkedHashSet<>(desired.fdb()).stream()
                .filter(e -> fresh.contains(e.device()) || !have.contains(e))
                .sorted(FDB_ORDER)
                .map(e -> e.isFlood() ? (LinkAction) new LinkAction.AppendFdb(e) : new LinkAction.ReplaceFdb(e))
                .toList();
    }

    private static List<LinkAction> neighAdds(OverlayDesired desired, LinkState actual, Set<String> portsChange) {
        Set<NeighEntry> have = new HashSet<>(actual.neighbours());
        return new LinkedHashSet<>(desired.neighbours()).stream()
                .filter(n -> portsChange.contains(n.device()) || !have.contains(n))
                .sorted(NEIGH_ORDER)
                .map(n -> (LinkAction) new LinkAction.ReplaceNeigh(n)).toList();
    }
}
