package dev.berth.reconcilers.link;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Renders one action as iproute2 batch lines. Every value is checked against a strict pattern first: the values come
 * from etcd (other hosts' addresses and MACs), and a newline or quote in one would inject another batch command.
 */
final class BatchLines {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern IP = Pattern.compile("[0-9A-Fa-f.:]{2,45}");
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    private static final Pattern ALIAS = Pattern.compile(Pattern.quote(LinkOwnership.ALIAS_PREFIX) + "[A-Za-z0-9._/:@=+-]{0,200}");

    private BatchLines() {
    }

    /** True for actions run by {@code bridge -batch}; all others go to {@code ip -batch}. */
    static boolean isBridge(LinkAction action) {
        return action instanceof LinkAction.AppendFdb || action instanceof LinkAction.ReplaceFdb
                || action instanceof LinkAction.DeleteFdb;
    }

    static List<String> render(LinkAction action) {
        if (action instanceof LinkAction.CreateVxlan a) {
            return createVxlan(a.device());
        } else if (action instanceof LinkAction.DeleteLink a) {
            return List.of("link del " + name(a.name()));
        } else if (action instanceof LinkAction.SetMaster a) {
            return List.of("link set " + name(a.device()) + " master " + name(a.master()));
        } else if (action instanceof LinkAction.SetUp a) {
            return List.of("link set " + name(a.device()) + " up");
        } else if (action instanceof LinkAction.AppendFdb a) {
            return List.of("fdb append " + fdb(a.entry()) + " self permanent");
        } else if (action instanceof LinkAction.ReplaceFdb a) {
            return List.of("fdb replace " + fdb(a.entry()) + " self permanent");
        } else if (action instanceof LinkAction.DeleteFdb a) {
            // Without dst the kernel would drop every flood entry of the device, not just this peer's.
            return List.of("fdb del " + fdb(a.entry()) + " self");
        } else if (action instanceof LinkAction.ReplaceNeigh a) {
            NeighEntry n = a.entry();
            return List.of("neigh replace " + ip(n.ip()) + " lladdr " + mac(n.mac()) + " dev " + name(n.device())
                    + " nud permanent");
        } else if (action instanceof LinkAction.DeleteNeigh a) {
            NeighEntry n = a.entry();
            return List.of("neigh del " + ip(n.ip()) + " dev " + name(n.device()));
        }
        throw new IllegalArgumentException("unknown action " + action);
    }

    private static List<String> createVxlan(VxlanDevice d) {
        String n = name(d.name());
        List<String> lines = new ArrayList<>();
        lines.add("link add " + n + " type vxlan id " + d.vni() + " local " + ip(d.local()) + " dstport " + d.dstPort()
                + " nolearning");
        lines.add("link set " + n + " mtu " + d.mtu());
        lines.add("link set " + n + " alias \"" + alias(d.alias()) + "\"");
        if (d.master() != null) {
            lines.add("link set " + n + " master " + name(d.master()));
        }
        if (d.up()) {
            lines.add("link set " + n + " up");
        }
        return lines;
    }

    private static String fdb(FdbEntry e) {
        String s = mac(e.mac()) + " dev " + name(e.device());
        return e.dst() == null ? s : s + " dst " + ip(e.dst());
    }

    private static String name(String s) {
        return checked(NAME, s, "link name");
    }

    private static String ip(String s) {
        return checked(IP, s, "IP address");
    }

    private static String mac(String s) {
        return checked(MAC, s, "MAC address");
    }

    private static String alias(String s) {
        return checked(ALIAS, s, "alias");
    }

    private static String checked(Pattern p, String s, String what) {
        if (s == null || !p.matcher(s).matches()) {
            throw new IllegalArgumentException("not a valid " + what + ": " + s);
        }
        return s;
    }
}
