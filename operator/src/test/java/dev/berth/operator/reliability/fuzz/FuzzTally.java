package dev.berth.operator.reliability.fuzz;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Counts of every verdict of a run, with the first few inputs of each bad one for the failure message. */
public final class FuzzTally {
    private static final int EXAMPLES = 5;
    private final Map<FuzzVerdict, Integer> counts = new EnumMap<>(FuzzVerdict.class);
    private final Map<FuzzVerdict, List<String>> examples = new EnumMap<>(FuzzVerdict.class);
    private final List<String> changed = new ArrayList<>();
    private int changedCount;

    public void add(String stage, FuzzInput input, FuzzVerdict verdict, String detail) {
        counts.merge(verdict, 1, Integer::sum);
        if (verdict != FuzzVerdict.ACCEPTED && verdict != FuzzVerdict.CLEAR_ERROR) {
            List<String> list = examples.computeIfAbsent(verdict, v -> new ArrayList<>());
            if (list.size() < EXAMPLES) {
                list.add(stage + " " + input + ": " + shorten(detail));
            }
        }
    }

    public void changed(String stage, String what) {
        changedCount++;
        if (changed.size() < EXAMPLES) {
            changed.add(stage + ": " + shorten(what));
        }
    }

    public int count(FuzzVerdict verdict) {
        return counts.getOrDefault(verdict, 0);
    }

    public int changed() {
        return changedCount;
    }

    public int errors() {
        return count(FuzzVerdict.CLEAR_ERROR) + count(FuzzVerdict.ERROR_WITHOUT_LOCATION);
    }

    public String examples() {
        StringBuilder out = new StringBuilder();
        examples.forEach((verdict, list) -> list.forEach(e -> out.append(verdict).append(": ").append(e).append('\n')));
        changed.forEach(c -> out.append("CHANGED: ").append(c).append('\n'));
        return out.toString();
    }

    /** Short and printable: inputs hold NUL, escapes and broken UTF-8, which must not reach the test's output stream. */
    private static String shorten(String text) {
        String one = text.length() > 400 ? text.substring(0, 400) + "..." : text;
        StringBuilder out = new StringBuilder();
        one.chars().forEach(c -> {
            if (c >= 0x20 && c < 0x7f) {
                out.append((char) c);
            } else {
                out.append(String.format("\\u%04x", c));
            }
        });
        return out.toString();
    }
}
