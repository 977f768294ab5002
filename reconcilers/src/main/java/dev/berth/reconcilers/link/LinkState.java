package dev.berth.reconcilers.link;

import java.util.List;
import java.util.Map;

/**
 * What the kernel has that is Berth's: its VXLAN devices (prefix and alias), the permanent self entries on them, and
 * the permanent neighbours on the bridges they are enslaved to. {@code bridges} lists every bridge, for information.
 */
public record LinkState(List<VxlanDevice> devices, Map<String, BridgeInfo> bridges, List<FdbEntry> fdb,
                        List<NeighEntry> neighbours) {
    public LinkState {
        devices = List.copyOf(devices);
        bridges = Map.copyOf(bridges);
        fdb = List.copyOf(fdb);
        neighbours = List.copyOf(neighbours);
    }

    public static LinkState empty() {
        return new LinkState(List.of(), Map.of(), List.of(), List.of());
    }
}
