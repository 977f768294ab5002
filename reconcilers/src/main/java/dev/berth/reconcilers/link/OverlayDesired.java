package dev.berth.reconcilers.link;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything one host should have in the kernel for all its Networks. Checked when built: a device that would not be
 * read back as Berth's (prefix, alias, {@code nolearning}) would be created again on every pass.
 */
public record OverlayDesired(List<VxlanDevice> devices, List<FdbEntry> fdb, List<NeighEntry> neighbours) {
    public OverlayDesired {
        devices = List.copyOf(devices);
        fdb = List.copyOf(fdb);
        neighbours = List.copyOf(neighbours);
        Set<String> names = new HashSet<>();
        for (VxlanDevice d : devices) {
            check(d);
            if (!names.add(d.name())) {
                throw new IllegalArgumentException("device " + d.name() + " declared twice");
            }
        }
        for (FdbEntry e : fdb) {
            if (!names.contains(e.device())) {
                throw new IllegalArgumentException("fdb entry " + e.mac() + " names undeclared device " + e.device());
            }
            if (e.dst() == null) {
                throw new IllegalArgumentException("fdb entry " + e.mac() + " on " + e.device() + " has no dst");
            }
        }
    }

    public static OverlayDesired empty() {
        return new OverlayDesired(List.of(), List.of(), List.of());
    }

    private static void check(VxlanDevice d) {
        String n = d.name();
        if (!LinkOwnership.isBerths(d) || n.length() > LinkOwnership.MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("device " + n + " must be named " + LinkOwnership.DEVICE_PREFIX
                    + "… (at most " + LinkOwnership.MAX_NAME_LENGTH + " characters) with alias "
                    + LinkOwnership.ALIAS_PREFIX + "…, got alias " + d.alias());
        }
        if (d.vni() < 1 || d.vni() > 0xFFFFFF) {
            throw new IllegalArgumentException("device " + n + ": vni " + d.vni() + " outside 1..16777215");
        }
        if (d.local() == null || d.local().isBlank()) {
            throw new IllegalArgumentException("device " + n + ": no local address");
        }
        if (d.dstPort() < 1 || d.dstPort() > 65535) {
            throw new IllegalArgumentException("device " + n + ": dstport " + d.dstPort() + " outside 1..65535");
        }
        if (d.mtu() < 68 || d.mtu() > 65535) {
            throw new IllegalArgumentException("device " + n + ": mtu " + d.mtu() + " outside 68..65535");
        }
        if (d.learning()) {
            throw new IllegalArgumentException("device " + n + ": Berth devices are always nolearning");
        }
    }
}
