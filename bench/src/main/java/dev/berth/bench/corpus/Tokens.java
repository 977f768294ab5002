package dev.berth.bench.corpus;

import java.math.BigDecimal;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The words of a value, compared loosely enough that a faithful conversion matches and a lost value does not:
 * {@code "127.0.0.1:9100:9100/udp"} and {@code {hostIp: 127.0.0.1, published: 9100, target: 9100, protocol: udp}}
 * share every word of the first. Words are split at anything but letters, digits and dots and at camelCase humps,
 * lower-cased; numbers, sizes (512m = 512M = 536870912) and durations (1m30s = 90s) also match by value.
 */
final class Tokens {
    private static final Pattern SPLIT = Pattern.compile("[^A-Za-z0-9.]+");
    private static final Pattern HUMP = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])");
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)(b|k|kb|ki|kib|m|mb|mi|mib|g|gb|gi|gib|t|tb)?");
    private static final Pattern DURATION = Pattern.compile("((\\d+(?:\\.\\d+)?)(h|m|s|ms|us|ns))+");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|us|ns|m|s)");
    private static final Map<String, Long> UNITS = Map.ofEntries(Map.entry("b", 1L), Map.entry("k", 1L << 10),
            Map.entry("kb", 1L << 10), Map.entry("ki", 1L << 10), Map.entry("kib", 1L << 10), Map.entry("m", 1L << 20),
            Map.entry("mb", 1L << 20), Map.entry("mi", 1L << 20), Map.entry("mib", 1L << 20), Map.entry("g", 1L << 30),
            Map.entry("gb", 1L << 30), Map.entry("gi", 1L << 30), Map.entry("gib", 1L << 30), Map.entry("t", 1L << 40),
            Map.entry("tb", 1L << 40));

    private Tokens() {
    }

    /** The words of a text. */
    static Set<String> of(String text) {
        Set<String> words = new LinkedHashSet<>();
        for (String piece : SPLIT.split(HUMP.matcher(text).replaceAll(" "))) {
            String w = piece.toLowerCase(Locale.ROOT);
            if (!w.isEmpty() && !w.chars().allMatch(ch -> ch == '.')) {
                words.add(w);
            }
        }
        return words;
    }

    /** A word and the forms it also matches by: the number, the byte count, the duration. */
    static Set<String> forms(String word) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(word);
        if (word.equals("ro")) {
            // a mount's ":ro" arrives as readOnly: true
            forms.add("only");
        }
        Matcher size = SIZE.matcher(word);
        if (size.matches()) {
            try {
                BigDecimal n = new BigDecimal(size.group(1));
                forms.add("n:" + n.stripTrailingZeros().toPlainString());
                long unit = size.group(2) == null ? 1L : UNITS.get(size.group(2));
                forms.add("bytes:" + n.multiply(BigDecimal.valueOf(unit)).stripTrailingZeros().toPlainString());
            } catch (NumberFormatException e) {
                // a word like 1.2.3 is no number: it matches as written only
            }
        }
        if (DURATION.matcher(word).matches()) {
            BigDecimal nanos = BigDecimal.ZERO;
            Matcher part = DURATION_PART.matcher(word);
            while (part.find()) {
                long unit = switch (part.group(2)) {
                    case "h" -> 3_600_000_000_000L;
                    case "m" -> 60_000_000_000L;
                    case "s" -> 1_000_000_000L;
                    case "ms" -> 1_000_000L;
                    case "us" -> 1_000L;
                    default -> 1L;
                };
                nanos = nanos.add(new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(unit)));
            }
            forms.add("ns:" + nanos.stripTrailingZeros().toPlainString());
        }
        return forms;
    }
}
