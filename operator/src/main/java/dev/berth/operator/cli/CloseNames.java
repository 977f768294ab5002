package dev.berth.operator.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * "Did you mean": only names within two edits (one for words under six letters; a swap of neighbours is one
 * edit) of what was typed, or that start
 * with it. picocli's own suggester ranks by similarity and so suggests unrelated commands; this one suggests nothing
 * rather than something unrelated.
 */
final class CloseNames {
    private static final int MAX_EDITS = 2;

    private CloseNames() {
    }

    /** The close names, closest first, in the order given among equals. */
    static List<String> to(String typed, Collection<String> names) {
        String t = withoutDashes(typed.toLowerCase(Locale.ROOT));
        // Two edits of a three-letter word reach almost any short name: shorter words get fewer, and one or two
        // letters (-l) none, since every other one-letter option is one edit away.
        int edits = t.length() < 3 ? 0 : Math.min(MAX_EDITS, Math.max(1, t.length() / 3));
        List<String> close = new ArrayList<>();
        for (String name : names) {
            String n = withoutDashes(name.toLowerCase(Locale.ROOT));
            if (!n.equals(t) && (distance(t, n) <= edits || t.length() >= 2 && n.startsWith(t)) && !close.contains(name)) {
                close.add(name);
            }
        }
        close.sort(java.util.Comparator.comparingInt(n -> distance(t, withoutDashes(n.toLowerCase(Locale.ROOT)))));
        return close;
    }

    /** Options are compared by their names: "--hots" is close to "--host", "-l" is not close to "-f". */
    private static String withoutDashes(String name) {
        int i = 0;
        while (i < name.length() - 1 && name.charAt(i) == '-') {
            i++;
        }
        return name.substring(i);
    }

    /** " (did you mean stacks?)", or "" when nothing is close. */
    static String hint(String typed, Collection<String> names) {
        return phrase(to(typed, names));
    }

    /** " (did you mean a or b?)" for these names, "" for none. */
    static String phrase(List<String> close) {
        return close.isEmpty() ? "" : " (did you mean " + String.join(" or ", close) + "?)";
    }

    /** Optimal string alignment distance (the one validation's suggestions use): a swap of neighbours is one edit. */
    static int distance(String a, String b) {
        return dev.berth.crds.Suggestions.distance(a, b);
    }
}
