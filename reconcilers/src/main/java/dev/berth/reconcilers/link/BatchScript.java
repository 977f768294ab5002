package dev.berth.reconcilers.link;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One batch for {@code ip -batch -} or {@code bridge -batch -}, remembering which action each line came from so a
 * failure can be named.
 *
 * <p>iproute2 stops at the first failing line and prints {@code Command failed -:LINE}. Some commands ({@code ip neigh}
 * in 6.x) exit(2) on a netlink error without that line, so the ip batch also gets a marker after each action
 * ({@code link show dev lo}, read-only, lo exists in every namespace): the number of markers on stdout is the number of
 * actions that finished.
 */
final class BatchScript {
    static final String MARKER = "link show dev lo";
    private static final Pattern FAILED_LINE = Pattern.compile("Command failed -:(\\d+)");
    private static final Pattern MARKER_OUTPUT = Pattern.compile("(?m)^\\d+: lo[:@]");

    private final List<String> lines = new ArrayList<>();
    /** Parallel to {@link #lines}; null for markers. */
    private final List<LinkAction> owners = new ArrayList<>();
    private final List<LinkAction> actions = new ArrayList<>();
    private final boolean markers;

    private BatchScript(boolean markers) {
        this.markers = markers;
    }

    static BatchScript ip(List<LinkAction> all) {
        BatchScript s = new BatchScript(true);
        all.stream().filter(a -> !BatchLines.isBridge(a)).forEach(s::add);
        return s;
    }

    static BatchScript bridge(List<LinkAction> all) {
        BatchScript s = new BatchScript(false);
        all.stream().filter(BatchLines::isBridge).forEach(s::add);
        return s;
    }

    private void add(LinkAction action) {
        for (String line : BatchLines.render(action)) {
            lines.add(line);
            owners.add(action);
        }
        if (markers) {
            lines.add(MARKER);
            owners.add(null);
        }
        actions.add(action);
    }

    boolean isEmpty() {
        return actions.isEmpty();
    }

    List<LinkAction> actions() {
        return Collections.unmodifiableList(actions);
    }

    List<String> lines() {
        return Collections.unmodifiableList(lines);
    }

    String stdin() {
        return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
    }

    /** The action whose line failed, from iproute2's {@code Command failed -:LINE}, else from the markers. */
    Optional<LinkAction> failedAction(String stdout, String stderr) {
        Matcher m = FAILED_LINE.matcher(stderr);
        if (m.find()) {
            int line = Integer.parseInt(m.group(1));
            return line >= 1 && line <= owners.size() ? Optional.ofNullable(owners.get(line - 1)) : Optional.empty();
        }
        if (markers) {
            long finished = MARKER_OUTPUT.matcher(stdout).results().count();
            return finished < actions.size() ? Optional.of(actions.get((int) finished)) : Optional.empty();
        }
        return Optional.empty();
    }

    /** The actions that ran before {@code failed} (they took effect). */
    List<LinkAction> before(LinkAction failed) {
        int i = actions.indexOf(failed);
        return i < 0 ? List.of() : List.copyOf(actions.subList(0, i));
    }
}
