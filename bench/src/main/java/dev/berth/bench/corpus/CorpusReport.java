package dev.berth.bench.corpus;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Counts the outcomes and prints the figure as a plain-text table. */
final class CorpusReport {
    private final int folders;
    private final Map<String, String> filterRefusals;
    private final Map<String, Outcome> outcomes = new LinkedHashMap<>();

    /**
     * @param folders        corpus entries found (folders with a compose file)
     * @param filterRefusals entries the acceptance filter refused, with its first line of complaint
     */
    CorpusReport(int folders, Map<String, String> filterRefusals) {
        this.folders = folders;
        this.filterRefusals = Map.copyOf(filterRefusals);
    }

    void add(String entry, Outcome outcome) {
        outcomes.put(entry, outcome);
    }

    String render(String filterRule) {
        Map<Outcome.Kind, Integer> counts = new EnumMap<>(Outcome.Kind.class);
        Map<String, Integer> reasons = new LinkedHashMap<>();
        Map<String, Integer> silentPaths = new LinkedHashMap<>();
        Map<String, Integer> filterReasons = new LinkedHashMap<>();
        int silentFiles = 0;
        int unclear = 0;
        for (Outcome o : outcomes.values()) {
            counts.merge(o.kind(), 1, Integer::sum);
            if (o.kind() != Outcome.Kind.IMPORTED) {
                o.reasons().forEach(r -> reasons.merge(o.kind() + ": " + r, 1, Integer::sum));
            }
            if (o.kind() == Outcome.Kind.REFUSED && !o.clear()) {
                unclear++;
            }
            if (!o.silent().isEmpty()) {
                silentFiles++;
            }
            o.silent().stream().map(PathPattern::of).distinct().forEach(p -> silentPaths.merge(p, 1, Integer::sum));
        }
        filterRefusals.values().forEach(r -> filterReasons.merge(r, 1, Integer::sum));
        int accepted = outcomes.size();
        int imported = counts.getOrDefault(Outcome.Kind.IMPORTED, 0);
        StringBuilder out = new StringBuilder();
        out.append("Compose corpus figure (berth import compose over public compose files)\n");
        out.append("acceptance filter: ").append(filterRule).append('\n');
        row(out, "files in corpus", folders, -1);
        row(out, "accepted by the filter", accepted, folders);
        row(out, "imported with valid output", imported, accepted);
        row(out, "refused (errors)", counts.getOrDefault(Outcome.Kind.REFUSED, 0), accepted);
        row(out, "  of which without file:line:col", unclear, accepted);
        row(out, "invalid output (please report)", counts.getOrDefault(Outcome.Kind.INVALID_OUTPUT, 0), accepted);
        row(out, "crashes", counts.getOrDefault(Outcome.Kind.CRASH, 0), accepted);
        row(out, "hangs (time-boxed)", counts.getOrDefault(Outcome.Kind.HANG, 0), accepted);
        row(out, "imported with >= 1 silent change", silentFiles, imported);
        top(out, "Top refusal reasons (files; invalid output and crashes included)", reasons, 10);
        top(out, "Top silent paths (files)", silentPaths, 10);
        top(out, "Filter refusals (files; not counted above)", filterReasons, 10);
        out.append("\nPer file:\n");
        outcomes.forEach((entry, o) -> out.append(o.kind()).append('\t').append(entry).append('\t')
                .append(String.join(" | ", o.kind() == Outcome.Kind.IMPORTED ? o.silent() : o.reasons())).append('\n'));
        return out.toString();
    }

    private static void row(StringBuilder out, String label, int n, int of) {
        out.append(String.format("%-36s %5d", label, n));
        if (of > 0) {
            out.append(String.format("  %5.1f %%", 100.0 * n / of));
        }
        out.append('\n');
    }

    private static void top(StringBuilder out, String title, Map<String, Integer> counts, int n) {
        out.append('\n').append(title).append(":\n");
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        if (sorted.isEmpty()) {
            out.append("  (none)\n");
        }
        sorted.stream().limit(n).forEach(e -> out.append(String.format("  %4d  %s%n", e.getValue(), e.getKey())));
    }
}
