package dev.berth.reconcilers.link;

/**
 * Which kernel links are Berth's. A name prefix alone is not enough (a person may call a device {@code bv1}) and an
 * alias alone is not enough (aliases are free text), so both must hold before Berth reads, changes or deletes a link.
 */
public final class LinkOwnership {
    /** Every Berth VXLAN device is {@code bv<vni>}. */
    public static final String DEVICE_PREFIX = "bv";
    /** Every Berth VXLAN device's ifalias starts with this, followed by the Network it serves. */
    public static final String ALIAS_PREFIX = "berth:";
    /** IFNAMSIZ - 1. */
    public static final int MAX_NAME_LENGTH = 15;

    private LinkOwnership() {
    }

    public static boolean isBerths(String name, String alias) {
        return name != null && alias != null && name.startsWith(DEVICE_PREFIX) && alias.startsWith(ALIAS_PREFIX);
    }

    public static boolean isBerths(VxlanDevice device) {
        return isBerths(device.name(), device.alias());
    }
}
