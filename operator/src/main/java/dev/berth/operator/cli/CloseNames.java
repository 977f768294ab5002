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
        String t = typed.toLowerCase(Locale.ROOT);
        // Two edits of a three-letter word reach almost any short name: shorter words get fewer.
        int edits = Math.min(MAX_EDITS, Math.max(1, t.length() / 3));
        List<String> close = new ArrayList<>();
        for (String name : names) {
            String n = name.toLowerCase(Locale.ROOT);
            if (!n.equals(t) && (distance(t, n) <= edits || t.length() >= 2 && n.startsWith(t)) && !close.contains(name)) {
                close.add(name);
            }
        }
        close.sort(java.util.Comparator.comparingInt(n -> distance(t, n.toLowerCase(Locale.ROOT))));
        return close;
    }

    /** " (did you mean stacks?)", or "" when nothing is close. */
    static String hint(String typed, Collection<String> names) {
        List<String> close = to(typed, names);
        return close.isEmpty() ? "" : " (did you mean " + String.join(" or ", close) + "?)";
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost one. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
