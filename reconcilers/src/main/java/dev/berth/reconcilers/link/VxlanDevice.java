package dev.berth.reconcilers.link;

import java.util.Objects;

/**
 * A VXLAN device as declared or as read back. Berth always creates devices with {@code nolearning}; {@code learning}
 * is only ever true when read from a device someone changed, and then the planner recreates it.
 *
 * @param local  underlay IPv4 address the device sends from
 * @param master the bridge it is enslaved to, or null when it is not enslaved
 * @param alias  the ifalias, {@code berth:<network>} for Berth's devices
 */
public record VxlanDevice(String name, int vni, String local, int dstPort, int mtu, String master, boolean up,
                          String alias, boolean learning) {
    public VxlanDevice {
        Objects.requireNonNull(name, "name");
    }

    /** A device as Berth declares it: always {@code nolearning}. */
    public VxlanDevice(String name, int vni, String local, int dstPort, int mtu, String master, boolean up,
                       String alias) {
        this(name, vni, local, dstPort, mtu, master, up, alias, false);
    }
}
