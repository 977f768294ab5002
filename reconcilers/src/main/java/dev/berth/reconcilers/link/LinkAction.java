package dev.berth.reconcilers.link;

/**
 * One idempotent-as-possible kernel step; {@link #describe()} is what {@code berth diff} prints and
 * {@link #deviceName()} is the link it touches, for logs.
 */
public sealed interface LinkAction {
    String describe();

    String deviceName();

    /** Add, then mtu, alias, master and up: a device is never left half-configured by a later pass. */
    record CreateVxlan(VxlanDevice device) implements LinkAction {
        @Override
        public String describe() {
            return "create vxlan " + device.name() + " (vni " + device.vni() + ", local " + device.local()
                    + ", dstport " + device.dstPort() + ", mtu " + device.mtu() + ", master " + device.master() + ")";
        }

        @Override
        public String deviceName() {
            return device.name();
        }
    }

    record DeleteLink(String name, String reason) implements LinkAction {
        @Override
        public String describe() {
            return "delete link " + name + " (" + reason + ")";
        }

        @Override
        public String deviceName() {
            return name;
        }
    }

    record SetMaster(String device, String master) implements LinkAction {
        @Override
        public String describe() {
            return "set " + device + " master " + master;
        }

        @Override
        public String deviceName() {
            return device;
        }
    }

    record SetUp(String device) implements LinkAction {
        @Override
        public String describe() {
            return "set " + device + " up";
        }

        @Override
        public String deviceName() {
            return device;
        }
    }

    /** For flood entries: several all-zero entries (one per peer) live side by side, so append, never replace. */
    record AppendFdb(FdbEntry entry) implements LinkAction {
        @Override
        public String describe() {
            return "append fdb " + entry.mac() + " dev " + entry.device() + " dst " + entry.dst();
        }

        @Override
        public String deviceName() {
            return entry.device();
        }
    }

    /** For per-container MACs: one destination per MAC, so a moved container overwrites its old entry. */
    record ReplaceFdb(FdbEntry entry) implements LinkAction {
        @Override
        public String describe() {
            return "replace fdb " + entry.mac() + " dev " + entry.device() + " dst " + entry.dst();
        }

        @Override
        public String deviceName() {
            return entry.device();
        }
    }

    record DeleteFdb(FdbEntry entry) implements LinkAction {
        @Override
        public String describe() {
            return "delete fdb " + entry.mac() + " dev " + entry.device() + " dst " + entry.dst();
        }

        @Override
        public String deviceName() {
            return entry.device();
        }
    }

    record ReplaceNeigh(NeighEntry entry) implements LinkAction {
        @Override
        public String describe() {
            return "replace neigh " + entry.ip() + " lladdr " + entry.mac() + " dev " + entry.device();
        }

        @Override
        public String deviceName() {
            return entry.device();
        }
    }

    record DeleteNeigh(NeighEntry entry) implements LinkAction {
        @Override
        public String describe() {
            return "delete neigh " + entry.ip() + " lladdr " + entry.mac() + " dev " + entry.device();
        }

        @Override
        public String deviceName() {
            return entry.device();
        }
    }
}
