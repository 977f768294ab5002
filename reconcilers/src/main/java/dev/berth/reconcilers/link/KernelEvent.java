package dev.berth.reconcilers.link;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One kernel notification that may concern a link Berth keeps: the link itself changed or went, one of a VXLAN
 * device's own FDB entries changed, or a permanent neighbour entry on a bridge changed. The device is what counts:
 * the event says "look at this device's Network again", the pass reads the whole state (level-triggered). An FDB
 * event also names its entry, so the echo of Berth's own change can be told from somebody else's.
 *
 * <p>Read from the one-line output of {@link #ipMonitor} ({@code ip -o monitor label link neigh}, IPv4 neighbours)
 * and {@link #bridgeMonitor} ({@code bridge monitor fdb}) as iproute2 6.1 prints it, for example:
 * <pre>
 * [LINK]3: bv42: &lt;BROADCAST,MULTICAST&gt; mtu 1450 qdisc noqueue master bb42 state DOWN group default \    link/ether ...
 * [LINK]Deleted 3: bv42: &lt;BROADCAST,MULTICAST&gt; mtu 1450 master bb42 state DOWN \    link/ether ...
 * [NEIGH]10.9.0.5 dev bb42 lladdr 02:42:0a:00:00:05 PERMANENT
 * [NEIGH]Deleted 10.9.0.5 dev bb42 FAILED
 * Deleted 00:00:00:00:00:00 dev bv42 dst 10.250.0.2 self permanent
 * </pre>
 */
public record KernelEvent(Kind kind, String device, boolean deleted, Optional<FdbEntry> fdb) {
    public enum Kind {
        /** A link was added, changed (up/down, master, mtu...) or deleted. */
        LINK,
        /** An FDB entry the device holds itself ({@code self}), such as Berth's flood and per-container entries. */
        FDB,
        /** A neighbour entry that is or was permanent (deleting a permanent entry reports it {@code FAILED} first). */
        NEIGH
    }

    /** Options of an FDB entry Berth never sets. */
    private static final java.util.Set<String> NOT_BERTHS = java.util.Set.of("port", "vni", "via", "src_vni", "nhid",
            "static", "dynamic", "extern_learn", "sticky");

    public KernelEvent {
        fdb = fdb == null ? Optional.empty() : fdb;
    }

    /** A link or neighbour event, or an FDB event whose entry is not known. */
    public KernelEvent(Kind kind, String device, boolean deleted) {
        this(kind, device, deleted, Optional.empty());
    }

    /**
     * A line of {@code ip -o monitor label link neigh}; empty for lines that cannot concern Berth: dynamic neighbour
     * states (ARP traffic), and anything that is not a link or neighbour line.
     */
    public static Optional<KernelEvent> ipMonitor(String line) {
        if (line.startsWith("[LINK]")) {
            return link(line.substring("[LINK]".length()));
        }
        if (line.startsWith("[NEIGH]")) {
            return neighbour(line.substring("[NEIGH]".length()));
        }
        return Optional.empty();
    }

    /** A line of {@code bridge monitor fdb}; empty for the bridge's own entries ({@code master}) and anything else. */
    public static Optional<KernelEvent> bridgeMonitor(String line) {
        String rest = line.strip();
        if (rest.startsWith("[")) {
            int end = rest.indexOf(']');
            rest = end < 0 ? "" : rest.substring(end + 1);
        }
        boolean deleted = rest.startsWith("Deleted ");
        List<String> words = words(deleted ? rest.substring("Deleted ".length()) : rest);
        if (words.contains("master") || !words.contains("self")) {
            // The bridge's learned and port entries churn with traffic; Berth keeps only the device's own entries.
            return Optional.empty();
        }
        // Only an entry shaped as Berth writes them (permanent, a destination and nothing more) is named: another
        // entry to the same destination (a port, a VNI, not permanent) can never be taken for Berth's own echo.
        boolean berthShaped = words.contains("permanent") && words.stream().noneMatch(NOT_BERTHS::contains);
        Optional<String> dst = berthShaped ? after(words, "dst") : Optional.empty();
        return after(words, "dev").map(dev -> new KernelEvent(Kind.FDB, dev, deleted,
                dst.map(d -> new FdbEntry(words.get(0), dev, d))));
    }

    /** "3: bv42: <FLAGS> ..." or "3: veth1@if2: ...", maybe after "Deleted ". */
    private static Optional<KernelEvent> link(String rest) {
        boolean deleted = rest.startsWith("Deleted ");
        String body = deleted ? rest.substring("Deleted ".length()) : rest;
        int colon = body.indexOf(": ");
        if (colon < 0) {
            return Optional.empty();
        }
        String afterIndex = body.substring(colon + 2);
        int end = afterIndex.indexOf(':');
        if (end <= 0) {
            return Optional.empty();
        }
        String name = afterIndex.substring(0, end);
        int at = name.indexOf('@');
        if (at > 0) {
            name = name.substring(0, at);
        }
        return Optional.of(new KernelEvent(Kind.LINK, name, deleted));
    }

    /** "10.9.0.5 dev bb42 lladdr ... PERMANENT", maybe after "Deleted " or "Miss ". */
    private static Optional<KernelEvent> neighbour(String rest) {
        boolean deleted = rest.startsWith("Deleted ");
        List<String> words = words(rest);
        if (!words.contains("PERMANENT") && !words.contains("FAILED")) {
            return Optional.empty();
        }
        return after(words, "dev").map(dev -> new KernelEvent(Kind.NEIGH, dev, deleted));
    }

    private static Optional<String> after(List<String> words, String key) {
        int i = words.indexOf(key);
        return i >= 0 && i + 1 < words.size() ? Optional.of(words.get(i + 1)) : Optional.empty();
    }

    private static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        for (String w : s.strip().split("\\s+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    /** {@code ip [-n NS] -4 -o monitor label link neigh}: links, and IPv4 neighbours (the FDB comes from bridge). */
    public static List<String> ipMonitorCommand(Optional<String> netns) {
        return command("ip", netns, "-4", "-o", "monitor", "label", "link", "neigh");
    }

    /** {@code bridge [-n NS] monitor fdb}. */
    public static List<String> bridgeMonitorCommand(Optional<String> netns) {
        return command("bridge", netns, "monitor", "fdb");
    }

    private static List<String> command(String tool, Optional<String> netns, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(tool);
        netns.ifPresent(ns -> {
            argv.add("-n");
            argv.add(ns);
        });
        argv.addAll(List.of(args));
        return List.copyOf(argv);
    }
}
